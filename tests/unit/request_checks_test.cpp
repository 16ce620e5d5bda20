#include "chatkit/http/sse.hpp"
#include "chatkit/util/address_set.hpp"
#include "server/request_checks.hpp"

#include <gtest/gtest.h>

namespace http = chatkit::http;
using chatkit::server::check_head;
using chatkit::server::forwarded_https;

namespace {

http::request make(std::vector<std::pair<std::string, std::string>> headers, unsigned version = 11)
{
    http::request r;
    r.method = "POST";
    r.target = "/api/v1/x";
    r.version = version;
    for (auto& [k, v] : headers)
        r.headers.add(k, v);
    return r;
}

} // namespace

TEST(request_checks, plain_request_passes)
{
    EXPECT_FALSE(check_head(make({{"Host", "a"}, {"Content-Length", "2"}})));
}

TEST(request_checks, content_length_with_transfer_encoding_is_smuggling)
{
    auto r = check_head(make({{"Host", "a"}, {"Content-Length", "2"}, {"Transfer-Encoding", "chunked"}}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
}

TEST(request_checks, final_coding_must_be_chunked)
{
    EXPECT_TRUE(check_head(make({{"Host", "a"}, {"Transfer-Encoding", "chunked, gzip"}})));
    EXPECT_TRUE(check_head(make({{"Host", "a"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "identity"}})));
    EXPECT_TRUE(check_head(make({{"Host", "a"}, {"Transfer-Encoding", "gzip"}})));
    EXPECT_FALSE(check_head(make({{"Host", "a"}, {"Transfer-Encoding", "gzip, Chunked"}})));
}

TEST(request_checks, http11_needs_exactly_one_host)
{
    EXPECT_TRUE(check_head(make({})));
    EXPECT_TRUE(check_head(make({{"Host", "a"}, {"Host", "b"}})));
    EXPECT_FALSE(check_head(make({}, 10)));
    EXPECT_TRUE(check_head(make({{"Host", "a"}, {"Host", "b"}}, 10)));
}

TEST(request_checks, target_must_be_origin_form)
{
    auto r = make({{"Host", "a"}});
    r.target = "http://evil.example/x";
    EXPECT_TRUE(check_head(r));
}

TEST(forwarded_proto, only_trusted_proxies_are_believed)
{
    auto trusted = *chatkit::util::address_set::parse({"10.0.0.0/8"});
    auto r = make({{"Host", "a"}, {"X-Forwarded-Proto", "https"}});
    EXPECT_TRUE(forwarded_https(r, boost::asio::ip::make_address("10.1.2.3"), trusted));
    EXPECT_FALSE(forwarded_https(r, boost::asio::ip::make_address("192.0.2.1"), trusted));
    EXPECT_FALSE(forwarded_https(r, boost::asio::ip::make_address("10.1.2.3"), chatkit::util::address_set{}));
}

TEST(forwarded_proto, the_last_value_is_the_proxys)
{
    auto trusted = *chatkit::util::address_set::parse({"127.0.0.1"});
    auto peer = boost::asio::ip::make_address("127.0.0.1");
    EXPECT_FALSE(forwarded_https(make({{"X-Forwarded-Proto", "https, http"}}), peer, trusted));
    EXPECT_TRUE(forwarded_https(make({{"X-Forwarded-Proto", "http, https"}}), peer, trusted));
}

TEST(address_set, matches_cidrs_and_v4_mapped_peers)
{
    auto set = *chatkit::util::address_set::parse({"192.168.1.0/24", "::1", "fd00::/8"});
    EXPECT_TRUE(set.contains(boost::asio::ip::make_address("192.168.1.77")));
    EXPECT_FALSE(set.contains(boost::asio::ip::make_address("192.168.2.1")));
    EXPECT_TRUE(set.contains(boost::asio::ip::make_address("::ffff:192.168.1.5")));
    EXPECT_TRUE(set.contains(boost::asio::ip::make_address("::1")));
    EXPECT_TRUE(set.contains(boost::asio::ip::make_address("fd12::1")));
    EXPECT_FALSE(set.contains(boost::asio::ip::make_address("fe80::1")));
    std::string bad;
    EXPECT_FALSE(chatkit::util::address_set::parse({"1.2.3.4/", "x"}, &bad));
    EXPECT_EQ(bad, "1.2.3.4/");
}

TEST(sse, frames_are_single_line_fields)
{
    EXPECT_EQ(http::sse_event("m:1", "token", R"({"content":"a"})"),
              "id: m:1\nevent: token\ndata: {\"content\":\"a\"}\n\n");
    auto forged = http::sse_event("m:1\nevent: done", "token\r", "x\ndata: y");
    EXPECT_EQ(forged, "id: m:1event: done\nevent: token\ndata: xdata: y\n\n");
    EXPECT_EQ(http::sse_comment("ping"), ": ping\n\n");
}

TEST(limit_key, counts_ipv6_clients_by_their_prefix)
{
    using chatkit::util::limit_key;
    EXPECT_EQ(limit_key("203.0.113.7", 64), "203.0.113.7");
    EXPECT_EQ(limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64), "2001:db8:1:2::/64");
    EXPECT_EQ(limit_key("2001:db8:1:2::9", 64), limit_key("2001:db8:1:2:ffff::1", 64));
    EXPECT_NE(limit_key("2001:db8:1:2::9", 64), limit_key("2001:db8:1:3::9", 64));
    EXPECT_EQ(limit_key("2001:db8:1:2:aaaa::1", 56), "2001:db8:1::/56");
    EXPECT_EQ(limit_key("2001:db8::1", 128), "2001:db8::1") << "the address alone";
    EXPECT_EQ(limit_key("::ffff:203.0.113.7", 64), "::ffff:203.0.113.7") << "an IPv4 client is itself";
    EXPECT_EQ(limit_key("not an address", 64), "not an address");
}
