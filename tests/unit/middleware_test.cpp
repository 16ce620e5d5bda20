#include "chatkit/app.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/middleware/access_log.hpp"
#include "chatkit/middleware/cors.hpp"
#include "chatkit/middleware/error_guard.hpp"
#include "chatkit/middleware/https_guard.hpp"
#include "chatkit/middleware/limits.hpp"
#include "chatkit/middleware/metrics.hpp"
#include "chatkit/middleware/request_id.hpp"
#include "chatkit/middleware/security_headers.hpp"

#include "support/run_sync.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <stdexcept>

namespace http = chatkit::http;
namespace mw = chatkit::middleware;
using chatkit::test::run_sync;

namespace {

// The mandatory layers in canonical order (plus the access log when asked),
// ending in `inner`.
struct harness {
    std::unique_ptr<http::chain> chain;

    harness(bool access_log, http::terminal_handler inner, bool production = false,
            std::vector<std::string> origins = {})
    {
        std::vector<std::unique_ptr<http::middleware>> layers;
        layers.push_back(std::make_unique<mw::request_id>());
        if (access_log)
            layers.push_back(std::make_unique<mw::access_log>());
        layers.push_back(std::make_unique<mw::security_headers>());
        layers.push_back(std::make_unique<mw::cors>(origins));
        layers.push_back(std::make_unique<mw::error_guard>());
        layers.push_back(std::make_unique<mw::https_guard>(production));
        layers.push_back(std::make_unique<mw::limits>());
        chain = std::make_unique<http::chain>(std::move(layers), std::move(inner));
    }

    http::reply run(http::request& req, http::request_context& ctx) const { return run_sync((*chain)(req, ctx)); }
};

http::terminal_handler ok_handler()
{
    return [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        co_return http::json_reply(200, boost::json::object{{"ok", true}});
    };
}

http::request get(std::string path)
{
    http::request r;
    r.method = "GET";
    r.path = r.target = std::move(path);
    return r;
}

} // namespace

TEST(request_id, echoes_a_sane_client_value)
{
    harness h(false, ok_handler());
    auto req = get("/x");
    req.headers.add("X-Request-ID", "client-abc.123");
    http::request_context ctx;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.headers.get("X-Request-ID").value_or(""), "client-abc.123");
}

TEST(request_id, replaces_oversized_or_unprintable_values)
{
    harness h(false, ok_handler());
    for (std::string bad :
         {std::string(129, 'a'), std::string("evil\r\nSet-Cookie: x"), std::string("a b"), std::string()}) {
        auto req = get("/x");
        req.headers.add("X-Request-ID", bad);
        http::request_context ctx;
        auto id = std::string(h.run(req, ctx).headers.get("X-Request-ID").value_or(""));
        EXPECT_NE(id, bad);
        EXPECT_EQ(id.size(), 32u);
    }
}

TEST(request_id, generated_ids_differ)
{
    EXPECT_NE(mw::request_id::generate(), mw::request_id::generate());
}

TEST(security_headers, are_on_every_reply)
{
    harness h(false, ok_handler());
    auto req = get("/x");
    http::request_context ctx;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
    EXPECT_EQ(reply.headers.get("X-Frame-Options").value_or(""), "DENY");
    EXPECT_EQ(reply.headers.get("Referrer-Policy").value_or(""), "strict-origin-when-cross-origin");
    EXPECT_EQ(reply.headers.get("Content-Security-Policy").value_or(""), mw::security_headers::api_csp);
    EXPECT_EQ(reply.headers.get("Cache-Control").value_or(""), "no-store");
    EXPECT_FALSE(reply.headers.get("Strict-Transport-Security"));
    EXPECT_FALSE(reply.headers.get("Server"));
}

TEST(security_headers, hsts_only_over_https_and_handler_policies_survive)
{
    harness h(false, [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        http::reply r;
        r.headers.add("Content-Security-Policy", "default-src 'self'");
        r.headers.add("Cache-Control", "public, max-age=3600");
        co_return r;
    });
    auto req = get("/x");
    http::request_context ctx;
    ctx.secure = true;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.headers.get("Content-Security-Policy").value_or(""), "default-src 'self'");
    EXPECT_EQ(reply.headers.get("Cache-Control").value_or(""), "public, max-age=3600");
    auto hsts = std::string(reply.headers.get("Strict-Transport-Security").value_or(""));
    EXPECT_EQ(hsts.rfind("max-age=", 0), 0u);
    EXPECT_GE(std::stol(hsts.substr(8)), 31536000L);
}

TEST(cors, allowlisted_origin_gets_its_own_origin_back)
{
    harness h(false, ok_handler(), false, {"https://docs.example.com"});
    auto req = get("/x");
    req.headers.add("Origin", "https://docs.example.com");
    http::request_context ctx;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.headers.get("Access-Control-Allow-Origin").value_or(""), "https://docs.example.com");
    EXPECT_NE(reply.headers.get("Vary").value_or("").find("Origin"), std::string_view::npos);
}

TEST(cors, other_origins_get_no_allow_header)
{
    harness h(false, ok_handler(), false, {"https://docs.example.com"});
    for (const char* origin :
         {"https://evil.example", "null", "https://docs.example.com.evil.example", "http://docs.example.com"}) {
        auto req = get("/x");
        req.headers.add("Origin", origin);
        http::request_context ctx;
        auto reply = h.run(req, ctx);
        EXPECT_FALSE(reply.headers.get("Access-Control-Allow-Origin")) << origin;
        EXPECT_EQ(reply.headers.get("Vary").value_or(""), "Origin");
    }
}

TEST(cors, preflight_is_answered_by_the_chain)
{
    bool reached = false;
    harness h(false,
              [&](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
                  reached = true;
                  co_return http::reply{};
              },
              false, {"https://docs.example.com"});
    auto req = get("/api/v1/chat");
    req.method = "OPTIONS";
    req.headers.add("Origin", "https://docs.example.com");
    req.headers.add("Access-Control-Request-Method", "POST");
    http::request_context ctx;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.status, 204u);
    EXPECT_NE(reply.headers.get("Access-Control-Allow-Methods").value_or("").find("POST"), std::string_view::npos);
    EXPECT_NE(reply.headers.get("Access-Control-Allow-Headers").value_or("").find("Authorization"),
              std::string_view::npos);
    EXPECT_FALSE(reached);

    req.headers.set("Origin", "https://evil.example");
    http::request_context ctx2;
    auto denied = h.run(req, ctx2);
    EXPECT_EQ(denied.status, 403u);
    EXPECT_FALSE(denied.headers.get("Access-Control-Allow-Origin"));
}

TEST(cors, development_allows_loopback_origins_only)
{
    mw::cors dev({});
    EXPECT_TRUE(dev.allows("http://localhost:8000"));
    EXPECT_TRUE(dev.allows("http://127.0.0.1:5173"));
    EXPECT_TRUE(dev.allows("http://[::1]:8000"));
    EXPECT_FALSE(dev.allows("http://localhost.evil.example"));
    EXPECT_FALSE(dev.allows("https://example.com"));
}

TEST(error_guard, exception_becomes_a_500_without_internals)
{
    harness h(false, [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        throw std::runtime_error("SELECT * FROM users; /srv/secret/path");
        co_return http::reply{};
    });
    auto req = get("/x");
    http::request_context ctx;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.status, 500u);
    EXPECT_EQ(reply.body.find("SELECT"), std::string::npos);
    EXPECT_EQ(reply.body.find("/srv"), std::string::npos);
    auto error = boost::json::parse(reply.body).at("error");
    EXPECT_EQ(error.at("code"), "INTERNAL_ERROR");
    EXPECT_EQ(error.at("request_id").as_string(), ctx.request_id.c_str());
    EXPECT_EQ(reply.headers.get("X-Content-Type-Options").value_or(""), "nosniff") << "a 500 is decorated too";
}

TEST(https_guard, production_refuses_plain_http_except_health)
{
    harness h(false, ok_handler(), true);
    auto req = get("/api/v1/chat");
    http::request_context ctx;
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.status, 403u);
    EXPECT_EQ(boost::json::parse(reply.body).at("error").at("code"), "HTTPS_REQUIRED");

    auto health = get("/health");
    http::request_context hctx;
    EXPECT_EQ(h.run(health, hctx).status, 200u);

    http::request_context secure;
    secure.secure = true;
    auto req2 = get("/api/v1/chat");
    auto ok = h.run(req2, secure);
    EXPECT_EQ(ok.status, 200u);
    EXPECT_TRUE(ok.headers.get("Strict-Transport-Security"));
}

TEST(https_guard, development_serves_plain_http)
{
    harness h(false, ok_handler(), false);
    auto req = get("/api/v1/chat");
    http::request_context ctx;
    EXPECT_EQ(h.run(req, ctx).status, 200u);
}

TEST(limits, answers_what_the_session_rejected_and_closes)
{
    bool reached = false;
    harness h(false, [&](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        reached = true;
        co_return http::reply{};
    });
    auto req = get("/x");
    http::request_context ctx;
    ctx.rejected = http::rejection{431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "too big"};
    auto reply = h.run(req, ctx);
    EXPECT_EQ(reply.status, 431u);
    EXPECT_TRUE(reply.close);
    EXPECT_FALSE(reached);
    EXPECT_EQ(boost::json::parse(reply.body).at("error").at("code"), "REQUEST_HEADER_FIELDS_TOO_LARGE");
}

TEST(access_log, logs_one_safe_line_without_query_or_credentials)
{
    std::ostringstream out;
    auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);

    harness h(true, ok_handler());
    auto req = get("/api/v1/x\r\nforged line");
    req.target = req.path + "?token=supersecret";
    req.query = "token=supersecret";
    req.headers.add("Authorization", "Bearer topsecrettoken");
    req.headers.add("Cookie", "session=cookievalue");
    http::request_context ctx;
    static_cast<void>(h.run(req, ctx));
    spdlog::set_default_logger(previous);

    auto line = out.str();
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    EXPECT_NE(line.find("GET /api/v1/x\\x0d\\x0aforged line 200"), std::string::npos) << line;
    EXPECT_NE(line.find(ctx.request_id), std::string::npos);
    for (const char* secret : {"supersecret", "topsecrettoken", "cookievalue"})
        EXPECT_EQ(line.find(secret), std::string::npos) << secret;
}

TEST(metrics, counts_by_route_and_status)
{
    chatkit::obs::metrics_registry registry;
    std::vector<std::unique_ptr<http::middleware>> layers;
    layers.push_back(std::make_unique<mw::request_id>());
    layers.push_back(std::make_unique<mw::metrics>(registry));
    layers.push_back(std::make_unique<mw::security_headers>());
    layers.push_back(std::make_unique<mw::cors>(std::vector<std::string>{}));
    layers.push_back(std::make_unique<mw::error_guard>());
    layers.push_back(std::make_unique<mw::https_guard>(false));
    layers.push_back(std::make_unique<mw::limits>());
    http::chain c(std::move(layers),
                  [](http::request&, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
                      ctx.route = "/items/{id}";
                      co_return http::reply{};
                  });
    for (int i = 0; i < 3; ++i) {
        auto req = get("/items/7");
        http::request_context ctx;
        static_cast<void>(run_sync(c(req, ctx)));
    }
    auto text = registry.render();
    EXPECT_NE(text.find(R"(chatkit_http_requests_total{method="GET",route="/items/{id}",status="200"} 3)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(chatkit_http_request_duration_seconds_count{method="GET",route="/items/{id}"} 3)"),
              std::string::npos);
}

TEST(chain, application_uses_the_canonical_order)
{
    chatkit::config::config cfg;
    cfg.secret_key = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
    cfg.database_url = "sqlite:///" + std::string(::testing::TempDir()) + "chatkit-chain-order.db";
    chatkit::app app(cfg);
    auto names = app.chain().names();
    const auto& order = http::chain::canonical_order();
    std::vector<std::string_view> expected;
    for (auto n : order)
        if (std::find(names.begin(), names.end(), n) != names.end())
            expected.push_back(n);
    EXPECT_EQ(names, expected);
    EXPECT_EQ(names.front(), "request_id");
    EXPECT_EQ(names.size(), http::chain::canonical_order().size()) << "every layer is wired";
}

TEST(chain, refuses_misordered_duplicate_or_missing_security_layers)
{
    auto build = [](std::vector<std::unique_ptr<http::middleware>> layers) {
        http::chain c(std::move(layers), ok_handler());
    };
    auto full = [] {
        std::vector<std::unique_ptr<http::middleware>> layers;
        layers.push_back(std::make_unique<mw::request_id>());
        layers.push_back(std::make_unique<mw::security_headers>());
        layers.push_back(std::make_unique<mw::cors>(std::vector<std::string>{}));
        layers.push_back(std::make_unique<mw::error_guard>());
        layers.push_back(std::make_unique<mw::https_guard>(false));
        layers.push_back(std::make_unique<mw::limits>());
        return layers;
    };
    EXPECT_NO_THROW(build(full()));

    auto swapped = full();
    std::swap(swapped[1], swapped[3]);
    EXPECT_THROW(build(std::move(swapped)), std::invalid_argument);

    auto missing = full();
    missing.erase(missing.begin() + 4);
    EXPECT_THROW(build(std::move(missing)), std::invalid_argument);

    auto duplicate = full();
    duplicate.insert(duplicate.begin() + 1, std::make_unique<mw::request_id>());
    EXPECT_THROW(build(std::move(duplicate)), std::invalid_argument);
}
