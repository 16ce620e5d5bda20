#include "chatkit/http/json_reply.hpp"
#include "chatkit/http/router.hpp"

#include "support/run_sync.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace http = chatkit::http;
using chatkit::test::run_sync;

namespace {

http::router make_router()
{
    http::router r;
    r.add("GET", "/api/v1/chat/saved/{chat_id}",
          [](http::request&, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              co_return http::json_reply(200, boost::json::object{{"id", ctx.param("chat_id")}});
          });
    r.add("DELETE", "/api/v1/chat/saved/{chat_id}",
          [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              http::reply reply;
              reply.status = 204;
              co_return reply;
          });
    r.add("POST", "/api/v1/chat",
          [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              co_return http::json_reply(200, boost::json::object{});
          },
          {.body_limit = 1234, .json_body = true});
    return r;
}

http::reply dispatch(const http::router& r, std::string method, std::string path, std::string content_type = {},
                     std::string body = {})
{
    http::request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.body = std::move(body);
    if (!content_type.empty())
        req.headers.add("Content-Type", content_type);
    http::request_context ctx;
    ctx.request_id = "rid-1";
    return run_sync(r.dispatch(req, ctx));
}

std::string error_code(const http::reply& r)
{
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

} // namespace

TEST(router, extracts_path_parameters)
{
    auto r = make_router();
    auto reply = dispatch(r, "GET", "/api/v1/chat/saved/abc-123");
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(boost::json::parse(reply.body).at("id").as_string(), "abc-123");
}

TEST(router, a_rest_parameter_takes_the_remaining_segments)
{
    http::router r;
    r.add("GET", "/docs/{page...}",
          [](http::request&, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              co_return http::json_reply(200, boost::json::object{{"page", ctx.param("page")}});
          });
    auto page = [&](std::string path) {
        return boost::json::parse(dispatch(r, "GET", path).body).at("page");
    };
    EXPECT_EQ(page("/docs/guide/setup.md"), "guide/setup.md");
    EXPECT_EQ(page("/docs/a.md"), "a.md");
    EXPECT_EQ(page("/docs/"), "");
    EXPECT_EQ(dispatch(r, "GET", "/docs").status, 404u);
}

TEST(router, unknown_path_is_404_in_contract_shape)
{
    auto r = make_router();
    auto reply = dispatch(r, "GET", "/api/v1/nope");
    EXPECT_EQ(reply.status, 404u);
    auto body = boost::json::parse(reply.body).as_object();
    EXPECT_EQ(body.size(), 1u);
    auto& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code"), "NOT_FOUND");
    EXPECT_EQ(error.at("request_id"), "rid-1");
    EXPECT_TRUE(error.contains("message"));
    EXPECT_TRUE(error.at("details").is_null());
}

TEST(router, empty_parameter_does_not_match)
{
    auto r = make_router();
    EXPECT_EQ(dispatch(r, "GET", "/api/v1/chat/saved/").status, 404u);
}

TEST(router, wrong_method_is_405_with_allow)
{
    auto r = make_router();
    auto reply = dispatch(r, "PUT", "/api/v1/chat/saved/x");
    EXPECT_EQ(reply.status, 405u);
    EXPECT_EQ(error_code(reply), "METHOD_NOT_ALLOWED");
    EXPECT_EQ(reply.headers.get("Allow").value_or(""), "GET, DELETE");
}

TEST(router, head_is_served_by_get)
{
    auto r = make_router();
    EXPECT_EQ(dispatch(r, "HEAD", "/api/v1/chat/saved/x").status, 200u);
}

TEST(router, options_lists_allowed_methods)
{
    auto r = make_router();
    auto reply = dispatch(r, "OPTIONS", "/api/v1/chat/saved/x");
    EXPECT_EQ(reply.status, 204u);
    EXPECT_EQ(reply.headers.get("Allow").value_or(""), "GET, DELETE, OPTIONS");
}

TEST(router, json_route_refuses_other_media_types)
{
    auto r = make_router();
    auto reply = dispatch(r, "POST", "/api/v1/chat", "text/plain", "{}");
    EXPECT_EQ(reply.status, 415u);
    EXPECT_EQ(error_code(reply), "UNSUPPORTED_MEDIA_TYPE");
    EXPECT_EQ(dispatch(r, "POST", "/api/v1/chat", "", "{}").status, 415u);
    EXPECT_EQ(dispatch(r, "POST", "/api/v1/chat", "application/json; charset=utf-8", "{}").status, 200u);
    EXPECT_EQ(dispatch(r, "POST", "/api/v1/chat", "Application/JSON", "{}").status, 200u);
}

TEST(router, body_limit_is_per_route)
{
    auto r = make_router();
    ASSERT_NE(r.options_for("POST", "/api/v1/chat"), nullptr);
    EXPECT_EQ(r.options_for("POST", "/api/v1/chat")->body_limit, 1234u);
    EXPECT_EQ(r.options_for("POST", "/elsewhere"), nullptr);
}

TEST(router, records_the_pattern_not_the_path_for_metrics)
{
    auto r = make_router();
    http::request req;
    req.method = "GET";
    req.path = "/api/v1/chat/saved/42";
    http::request_context ctx;
    static_cast<void>(run_sync(r.dispatch(req, ctx)));
    EXPECT_EQ(ctx.route, "/api/v1/chat/saved/{chat_id}");
}

TEST(json_body, rejects_malformed_deep_and_non_object_bodies)
{
    http::request_context ctx;
    auto parse = [&](std::string body) {
        http::request req;
        req.body = std::move(body);
        return http::parse_json_object(req, ctx, 8);
    };
    EXPECT_TRUE(std::holds_alternative<boost::json::object>(parse(R"({"a":1})")));
    for (std::string bad : {std::string("{"), std::string("[1]"), std::string("{\"a\":1,}"),
                            std::string("{\"a\":\"\xff\"}"), std::string(20, '[') + std::string(20, ']')}) {
        auto r = parse(bad);
        ASSERT_TRUE(std::holds_alternative<http::reply>(r)) << bad;
        auto& reply = std::get<http::reply>(r);
        EXPECT_EQ(reply.status, 400u);
        EXPECT_EQ(boost::json::parse(reply.body).at("error").at("details").at("field"), "body");
    }
}

// A secret route's path stays out of the logs however a request spells it:
// another method, a longer path, an absolute-form target, doubled or
// encoded separators, another case.
TEST(router, a_target_under_a_secret_route_is_found_however_it_is_spelled)
{
    http::router r = make_router();
    r.add(
        "GET", "/c/{share_id}",
        [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> { co_return http::reply{}; },
        {.secret_path = true});
    for (const char* under :
         {"/c/abc", "/c/abc/", "/c/abc/more", "/c/", "//c/abc", "/C/abc", "/%63/abc", "/%43/abc", "\\c\\abc",
          "/c%2Fabc", "/c%5cabc", "c/abc", "http://x/c/abc", "https://x:8/c/abc", "http://x\\c\\abc"}) {
        const auto* found = r.secret_route_for(under);
        ASSERT_NE(found, nullptr) << under;
        EXPECT_EQ(found->pattern, "/c/{share_id}") << under;
    }
    for (const char* other : {"/", "/cats/abc", "/api/v1/chat", "/docs/c/abc", "/c%", "http://c/abc", "*", ""})
        EXPECT_EQ(r.secret_route_for(other), nullptr) << other;
}
