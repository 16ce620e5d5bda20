#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::util {

// A set of addresses and CIDR blocks (IPv4 and IPv6), e.g. trusted proxies.
// An IPv4-mapped IPv6 peer matches its IPv4 entries.
class address_set {
public:
    // nullopt names the first entry that is not an address or CIDR.
    static std::optional<address_set> parse(const std::vector<std::string>& entries, std::string* bad_entry = nullptr);

    [[nodiscard]] bool contains(const boost::asio::ip::address& address) const;
    [[nodiscard]] bool empty() const { return blocks_.empty(); }

private:
    struct block {
        boost::asio::ip::address network;
        unsigned prefix;
    };
    std::vector<block> blocks_;
};

// An IPv4-mapped IPv6 address ("::ffff:1.2.3.4", how a dual-stack socket
// sees an IPv4 peer) as the IPv4 address it is; any other as it is.
[[nodiscard]] boost::asio::ip::address unmap(const boost::asio::ip::address& a);

// The key per-IP limits count a client under: an IPv4 address (mapped or
// not) as the IPv4 address, an
// IPv6 address by its first `v6_prefix` bits ("2001:db8:1:2::/64"), since
// one subscriber usually holds a whole /64 and can rotate through it. Text
// that is no address is its own key.
[[nodiscard]] std::string limit_key(std::string_view client_ip, unsigned v6_prefix);

} // namespace chatkit::util
