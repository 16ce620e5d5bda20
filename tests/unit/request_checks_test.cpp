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

// A request whose body the parser did not frame as chunked.
std::optional<http::rejection> check_head_plain(const http::request& r)
{
    return check_head(r, false);
}

unsigned te_status(std::vector<std::pair<std::string, std::string>> headers, bool parsed_chunked = false)
{
    headers.emplace_back("Host", "a");
    auto r = check_head(make(std::move(headers)), parsed_chunked);
    return r ? r->status : 0;
}

} // namespace

TEST(request_checks, plain_request_passes)
{
    EXPECT_FALSE(check_head_plain(make({{"Host", "a"}, {"Content-Length", "2"}})));
}

TEST(request_checks, content_length_with_transfer_encoding_is_smuggling)
{
    auto r = check_head_plain(make({{"Host", "a"}, {"Content-Length", "2"}, {"Transfer-Encoding", "chunked"}}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
}

TEST(request_checks, final_coding_must_be_chunked)
{
    EXPECT_EQ(te_status({{"Transfer-Encoding", "chunked, gzip"}}), 400u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "identity"}}), 400u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "gzip"}}), 400u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", ""}}), 400u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "Chunked"}}, true), 0u);
}

TEST(request_checks, chunked_named_twice_is_400_even_when_last)
{
    EXPECT_EQ(te_status({{"Transfer-Encoding", "chunked, chunked"}}), 400u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "chunked, Chunked"}}), 400u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}, true), 400u);
}

TEST(request_checks, a_coding_we_do_not_decode_is_501)
{
    EXPECT_EQ(te_status({{"Transfer-Encoding", "gzip, chunked"}}, true), 501u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}, true), 501u);
    EXPECT_EQ(te_status({{"Transfer-Encoding", "identity, chunked"}}, true), 501u);
}

TEST(request_checks, chunked_the_parser_did_not_frame_is_400)
{
    EXPECT_EQ(te_status({{"Transfer-Encoding", "chunked"}}, false), 400u);
}

TEST(request_checks, http11_needs_exactly_one_host)
{
    EXPECT_TRUE(check_head_plain(make({})));
    EXPECT_TRUE(check_head_plain(make({{"Host", "a"}, {"Host", "b"}})));
    EXPECT_FALSE(check_head_plain(make({}, 10)));
    EXPECT_TRUE(check_head_plain(make({{"Host", "a"}, {"Host", "b"}}, 10)));
}

TEST(request_checks, target_must_be_origin_form)
{
    auto r = make({{"Host", "a"}});
    r.target = "http://evil.example/x";
    EXPECT_TRUE(check_head_plain(r));
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
    EXPECT_EQ(limit_key("::ffff:203.0.113.7", 64), "203.0.113.7") << "one IPv4 client, however its address is written";
    EXPECT_EQ(limit_key("::ffff:203.0.113.7", 64), limit_key("203.0.113.7", 64));
    EXPECT_EQ(limit_key("not an address", 64), "not an address");
}

TEST(access_tier, a_stored_name_is_a_tier_or_nothing)
{
    using chatkit::http::access_tier;
    for (auto t : {access_tier::anonymous, access_tier::lightweight, access_tier::full, access_tier::premium})
        EXPECT_EQ(chatkit::http::parse_tier(chatkit::http::tier_name(t)), t);
    EXPECT_FALSE(chatkit::http::parse_tier("gold")) << "no limit is configured for it";
    EXPECT_FALSE(chatkit::http::parse_tier("Premium"));
}
