#include "chatkit/util/address_set.hpp"

#include <boost/asio/error.hpp>

#include <charconv>

namespace chatkit::util {

namespace {

template <class Bytes> bool prefix_equal(const Bytes& a, const Bytes& b, unsigned prefix)
{
    for (std::size_t i = 0; i < a.size() && prefix > 0; ++i) {
        unsigned bits = prefix >= 8 ? 8 : prefix;
        unsigned char mask = static_cast<unsigned char>(0xFF << (8 - bits));
        if ((a[i] & mask) != (b[i] & mask))
            return false;
        prefix -= bits;
    }
    return true;
}

} // namespace

boost::asio::ip::address unmap(const boost::asio::ip::address& a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    return a;
}

std::optional<address_set> address_set::parse(const std::vector<std::string>& entries, std::string* bad_entry)
{
    address_set out;
    for (const auto& entry : entries) {
        auto slash = entry.find('/');
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(entry.substr(0, slash), ec);
        unsigned max_prefix = !ec && address.is_v4() ? 32 : 128;
        unsigned prefix = max_prefix;
        if (!ec && slash != std::string::npos) {
            std::string_view digits(entry);
            digits.remove_prefix(slash + 1);
            auto [ptr, err] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
            if (err != std::errc{} || ptr != digits.data() + digits.size() || digits.empty() || prefix > max_prefix)
                ec = boost::asio::error::invalid_argument;
        }
        if (ec) {
            if (bad_entry)
                *bad_entry = entry;
            return std::nullopt;
        }
        bool mapped = address.is_v6() && address.to_v6().is_v4_mapped();
        out.blocks_.push_back({unmap(address), mapped ? (prefix > 96 ? prefix - 96 : 0) : prefix});
    }
    return out;
}

bool address_set::contains(const boost::asio::ip::address& raw) const
{
    auto address = unmap(raw);
    for (const auto& b : blocks_) {
        if (b.network.is_v4() && address.is_v4()) {
            if (prefix_equal(b.network.to_v4().to_bytes(), address.to_v4().to_bytes(), b.prefix))
                return true;
        } else if (b.network.is_v6() && address.is_v6()) {
            if (prefix_equal(b.network.to_v6().to_bytes(), address.to_v6().to_bytes(), b.prefix))
                return true;
        }
    }
    return false;
}

std::string limit_key(std::string_view client_ip, unsigned v6_prefix)
{
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(client_ip), ec);
    if (ec)
        return std::string(client_ip);
    address = unmap(address);
    if (!address.is_v6() || v6_prefix >= 128)
        return address.to_string();
    auto bytes = address.to_v6().to_bytes();
    for (unsigned bit = v6_prefix; bit < 128; ++bit)
        bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
    return boost::asio::ip::address_v6(bytes).to_string() + "/" + std::to_string(v6_prefix);
}

} // namespace chatkit::util
