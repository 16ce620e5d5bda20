// The HTTP core over real sockets: limits, smuggling shapes, deadlines,
// keep-alive, the error shape from every layer, the HTTPS guard.
#include "support/http_client.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

class http_core : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        auto env = dev_env();
        env["HEADER_TIMEOUT"] = "2s";
        env["IDLE_TIMEOUT"] = "3s";
        env["BODY_TIMEOUT"] = "2s";
        server_ = new server_process({}, env);
        auto port = server_->wait_until_listening();
        ASSERT_TRUE(port) << server_->output();
        port_ = *port;
    }
    static void TearDownTestSuite()
    {
        delete server_;
        server_ = nullptr;
    }

    static std::string error_code(const response& r)
    {
        return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
    }

    // The contract's error shape, and nothing else.
    static void expect_error_shape(const response& r, const std::string& code)
    {
        auto body = boost::json::parse(r.body).as_object();
        ASSERT_EQ(body.size(), 1u) << r.body;
        auto& e = body.at("error").as_object();
        EXPECT_EQ(e.size(), 4u) << r.body;
        EXPECT_EQ(e.at("code"), code.c_str());
        EXPECT_TRUE(e.at("message").is_string());
        EXPECT_TRUE(e.contains("details"));
        EXPECT_EQ(e.at("request_id"), r.header("x-request-id").c_str());
        EXPECT_EQ(r.header("content-type"), "application/json");
        EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    }

    static inline server_process* server_ = nullptr;
    static inline std::uint16_t port_ = 0;
};

} // namespace

TEST_F(http_core, health_reports_status_uptime_and_version)
{
    auto r = request(port_, "GET", "/health");
    EXPECT_EQ(r.status, 200u);
    auto body = boost::json::parse(r.body);
    EXPECT_EQ(body.at("status"), "ok");
    EXPECT_TRUE(body.at("uptime_seconds").is_int64());
    EXPECT_TRUE(body.at("version").is_string());
    EXPECT_FALSE(r.has("server")) << "no version banner";
    EXPECT_EQ(r.header("cache-control"), "no-store");
    // RFC 9110 §6.6.1: an origin server with a clock sends Date.
    EXPECT_TRUE(
        std::regex_match(r.header("date"), std::regex("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d [A-Z][a-z]{2} \\d{4} "
                                                      "\\d\\d:\\d\\d:\\d\\d GMT")))
        << r.header("date");
}

TEST_F(http_core, metrics_are_prometheus_text)
{
    static_cast<void>(request(port_, "GET", "/health"));
    auto r = request(port_, "GET", "/metrics");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
    EXPECT_NE(r.body.find("# TYPE chatkit_http_requests_total counter"), std::string::npos);
    EXPECT_NE(r.body.find(R"(chatkit_http_requests_total{method="GET",route="/health",status="200"})"),
              std::string::npos);
    EXPECT_NE(r.body.find("chatkit_http_request_duration_seconds_bucket"), std::string::npos);
    EXPECT_NE(r.body.find("chatkit_sse_open_streams"), std::string::npos);
}

TEST_F(http_core, odd_methods_fold_into_one_metrics_label)
{
    // Appended, not "M" + ...: GCC 12 warns falsely on that (-Wrestrict, its bug 105329).
    for (int i = 0; i < 1000; ++i)
        static_cast<void>(request(port_, std::string("M").append(std::to_string(i)), "/health"));
    auto r = request(port_, "GET", "/metrics");
    EXPECT_EQ(r.body.find(R"(method="M1")"), std::string::npos);
    EXPECT_NE(r.body.find(R"(method="OTHER",route="unmatched",status="405")"), std::string::npos) << r.body;
    EXPECT_LT(r.body.size(), 32u * 1024) << "the exposition stays small";
}

TEST_F(http_core, unknown_route_is_404_and_wrong_method_405)
{
    auto r = request(port_, "GET", "/api/v1/nothing-here");
    EXPECT_EQ(r.status, 404u);
    expect_error_shape(r, "NOT_FOUND");

    r = request(port_, "DELETE", "/health");
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(r.header("allow"), "GET");
    expect_error_shape(r, "METHOD_NOT_ALLOWED");
}

TEST_F(http_core, path_parameters_reach_the_handler)
{
    auto r = request(port_, "GET", "/api/v1/test/items/abc?x=1");
    EXPECT_EQ(boost::json::parse(r.body).at("item_id"), "abc");
}

TEST_F(http_core, malformed_json_is_400_naming_the_field)
{
    for (std::string body : {std::string("{\"a\":"), std::string("[]"), std::string("{\"a\":\"\xc3\x28\"}"),
                             std::string(200, '[') + std::string(200, ']')}) {
        auto r = request(port_, "POST", "/api/v1/test/echo", {{"Content-Type", "application/json"}}, body);
        EXPECT_EQ(r.status, 400u) << body;
        expect_error_shape(r, "INVALID_REQUEST");
        EXPECT_EQ(boost::json::parse(r.body).at("error").at("details").at("field"), "body");
    }
    auto ok = request(port_, "POST", "/api/v1/test/echo", {{"Content-Type", "application/json"}}, R"({"a":[1]})");
    EXPECT_EQ(ok.status, 200u);
}

TEST_F(http_core, json_route_given_another_type_is_415)
{
    auto r = request(port_, "POST", "/api/v1/test/echo", {{"Content-Type", "text/plain"}}, "{}");
    EXPECT_EQ(r.status, 415u);
    expect_error_shape(r, "UNSUPPORTED_MEDIA_TYPE");
}

TEST_F(http_core, oversized_headers_get_431_and_close)
{
    connection c(port_);
    std::string big(9000, 'a');
    c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431u);
    expect_error_shape(*r, "REQUEST_HEADER_FIELDS_TOO_LARGE");
    EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(http_core, oversized_body_gets_413_without_being_read)
{
    connection c(port_);
    c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Content-Length: 10000000\r\n\r\n{");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413u);
    expect_error_shape(*r, "PAYLOAD_TOO_LARGE");
    EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(http_core, oversized_chunked_body_gets_413)
{
    connection c(port_);
    std::string chunk(40000, 'a');
    char size[16];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: chunked\r\n\r\n");
    c.send(std::string(size) + "\r\n" + chunk + "\r\n" + size + "\r\n" + chunk + "\r\n0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413u);
}

TEST_F(http_core, content_length_with_transfer_encoding_is_rejected_and_closed)
{
    connection c(port_);
    c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
    expect_error_shape(*r, "BAD_REQUEST");
    EXPECT_TRUE(c.closed_by_peer(2s)) << "the smuggled request must not be served";
}

TEST_F(http_core, transfer_encoding_not_ending_in_chunked_is_rejected_and_closed)
{
    connection c(port_);
    c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
    EXPECT_TRUE(c.closed_by_peer(2s));
}

// A list Beast reads as "no body" would leave the body to be parsed as a
// second request on the same connection: each must get one reply and a close.
TEST_F(http_core, transfer_encoding_lists_are_one_chunked_or_refused)
{
    struct variant {
        std::string codings;
        unsigned status;
    };
    for (const auto& v : std::vector<variant>{{"chunked, chunked", 400},
                                              {"chunked, Chunked", 400},
                                              {"chunked\r\nTransfer-Encoding: chunked", 400},
                                              {"chunked, gzip", 400},
                                              {"gzip, chunked", 501},
                                              {"identity, chunked", 501}}) {
        connection c(port_);
        c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: " +
               v.codings +
               "\r\n\r\n"
               "30\r\nGET /health HTTP/1.1\r\nHost: x\r\nX-Smuggled: 1\r\n\r\n\r\n0\r\n\r\n");
        auto r = c.read_response();
        ASSERT_TRUE(r) << v.codings;
        EXPECT_EQ(r->status, v.status) << v.codings;
        expect_error_shape(*r, v.status == 501 ? "NOT_IMPLEMENTED" : "BAD_REQUEST");
        EXPECT_TRUE(c.closed_by_peer(2s)) << v.codings << ": the smuggled request must not be served";
    }
    connection c(port_);
    c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: CHUNKED\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u) << "the coding's name is case-insensitive";
}

TEST_F(http_core, http11_without_exactly_one_host_is_400)
{
    connection c(port_);
    c.send("GET /health HTTP/1.1\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);

    connection d(port_);
    d.send("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    r = d.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
}

TEST_F(http_core, garbage_is_400_in_contract_shape)
{
    connection c(port_);
    c.send("THIS IS NOT HTTP\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
    expect_error_shape(*r, "BAD_REQUEST");
}

TEST_F(http_core, keep_alive_and_pipelining_serve_every_request_in_order)
{
    connection c(port_);
    c.send("GET /api/v1/test/items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/test/items/2 HTTP/1.1\r\nHost: x\r\n\r\n");
    auto first = c.read_response();
    auto second = c.read_response();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(boost::json::parse(first->body).at("item_id"), "1");
    EXPECT_EQ(boost::json::parse(second->body).at("item_id"), "2");
    c.send("GET /api/v1/test/items/3 HTTP/1.1\r\nHost: x\r\n\r\n");
    auto third = c.read_response();
    ASSERT_TRUE(third);
    EXPECT_EQ(boost::json::parse(third->body).at("item_id"), "3");
}

TEST_F(http_core, expect_100_continue_is_honoured)
{
    connection c(port_);
    c.send("POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\n"
           "Expect: 100-continue\r\n\r\n");
    auto interim = c.read_head(5s);
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100u);
    c.send(R"({"a":1})"
           " ");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
}

TEST_F(http_core, slow_header_client_is_closed_at_the_deadline_while_others_are_served)
{
    connection slow(port_);
    auto started = std::chrono::steady_clock::now();
    std::string head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz\r\n\r\n";
    bool closed = false;
    std::size_t served_meanwhile = 0;
    for (std::size_t i = 0; i < head.size() && !closed; ++i) {
        if (!slow.send(head.substr(i, 1)))
            break;
        // Another client is served normally while the slow one dribbles.
        if (request(port_, "GET", "/health").status == 200)
            ++served_meanwhile;
        closed = slow.closed_by_peer(700ms);
    }
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(closed || slow.closed_by_peer(3s)) << "the 2 s header deadline must close the slow client";
    EXPECT_GE(served_meanwhile, 2u);
    EXPECT_LT(elapsed, 10s);
}

TEST_F(http_core, idle_keep_alive_connection_is_closed)
{
    connection c(port_);
    c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(c.read_response());
    EXPECT_TRUE(c.closed_by_peer(6s));
}

TEST_F(http_core, slow_body_is_cut_at_the_body_deadline)
{
    connection c(port_);
    c.send(
        "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    EXPECT_TRUE(c.closed_by_peer(5s));
}

TEST_F(http_core, exception_becomes_500_without_internals)
{
    auto r = request(port_, "GET", "/api/v1/test/fail");
    EXPECT_EQ(r.status, 500u);
    expect_error_shape(r, "INTERNAL_ERROR");
    EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
    EXPECT_EQ(r.body.find("/var/lib"), std::string::npos);
}

TEST_F(http_core, request_id_is_echoed_when_sane)
{
    auto r = request(port_, "GET", "/health", {{"X-Request-ID", "trace-42"}});
    EXPECT_EQ(r.header("x-request-id"), "trace-42");
    r = request(port_, "GET", "/health", {{"X-Request-ID", std::string(200, 'z')}});
    EXPECT_EQ(r.header("x-request-id").size(), 32u);
}

TEST_F(http_core, cors_preflight_over_the_wire)
{
    auto r = request(port_, "OPTIONS", "/api/v1/test/echo",
                     {{"Origin", "http://localhost:8000"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(r.status, 204u);
    EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:8000");
    r = request(port_, "OPTIONS", "/api/v1/test/echo",
                {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(r.status, 403u);
    EXPECT_FALSE(r.has("access-control-allow-origin"));
}

TEST_F(http_core, access_log_never_contains_query_strings_or_credentials)
{
    static_cast<void>(request(port_, "GET", "/health?token=leaky-query-value",
                              {{"Authorization", "Bearer leaky-bearer-value"}, {"Cookie", "sid=leaky-cookie"}}));
    // The log is flushed at least once a second.
    std::string out;
    for (int i = 0; i < 30 && out.find("access GET /health 200") == std::string::npos; ++i) {
        std::this_thread::sleep_for(100ms);
        out = server_->output();
    }
    EXPECT_NE(out.find("access GET /health 200"), std::string::npos);
    for (const char* secret : {"leaky-query-value", "leaky-bearer-value", "leaky-cookie"})
        EXPECT_EQ(out.find(secret), std::string::npos) << secret;
}

TEST(https_guard_wire, production_requires_https_except_health)
{
    auto env = production_env();
    env["DATABASE_URL"] = temp_sqlite_url();
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();

    auto plain = request(*port, "GET", "/");
    EXPECT_EQ(plain.status, 403u);
    EXPECT_NE(plain.body.find("HTTPS_REQUIRED"), std::string::npos);
    EXPECT_FALSE(plain.has("strict-transport-security"));

    EXPECT_EQ(request(*port, "GET", "/health").status, 200u);

    auto proxied = request(*port, "GET", "/", {{"X-Forwarded-Proto", "https"}});
    EXPECT_EQ(proxied.status, 200u);
    auto hsts = proxied.header("strict-transport-security");
    ASSERT_FALSE(hsts.empty());
    EXPECT_GE(std::stol(hsts.substr(hsts.find('=') + 1)), 31536000L);

    auto spoofed = request(*port, "GET", "/", {{"X-Forwarded-Proto", "https, http"}});
    EXPECT_EQ(spoofed.status, 403u);

    // A request refused for its framing is a 400, through the proxy or not.
    for (const char* framing : {"Content-Length: 2\r\nContent-Length: 3\r\n", "Content-Length: +2\r\n",
                                "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"}) {
        for (const char* proto : {"", "X-Forwarded-Proto: https\r\n"}) {
            connection c(*port);
            c.send(std::string("POST /api/v1/chat HTTP/1.1\r\nHost: x\r\n") + proto + framing + "\r\n{}");
            auto r = c.read_response();
            ASSERT_TRUE(r) << framing;
            EXPECT_EQ(r->status, 400u) << framing << proto;
        }
    }

    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(10s), 0);
}

TEST(https_guard_wire, untrusted_peer_cannot_vouch_for_https)
{
    auto env = production_env();
    env["DATABASE_URL"] = temp_sqlite_url();
    env["TRUSTED_PROXIES"] = "10.0.0.1";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    EXPECT_EQ(request(*port, "GET", "/metrics", {{"X-Forwarded-Proto", "https"}}).status, 403u);
}

TEST(connection_cap, connections_past_the_cap_wait_until_one_closes)
{
    auto env = dev_env();
    env["MAX_CONNECTIONS"] = "3";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    std::vector<std::unique_ptr<connection>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(std::make_unique<connection>(*port));
        open.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(open.back()->read_response()) << i;
    }
    connection waiting(*port); // the kernel completes the handshake; the server has not accepted it
    waiting.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_FALSE(waiting.read_response(500ms)) << "answered past the cap";
    open.pop_back(); // one closes: the one waiting is accepted
    auto r = waiting.read_response(5s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
}
