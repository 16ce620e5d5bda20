#include "chatkit/handlers/auth.hpp"

#include "chatkit/config/config.hpp"
#include "chatkit/http/auth_reply.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/email_address.hpp"
#include "chatkit/services/identity.hpp"
#include "chatkit/services/rate_limiter.hpp"
#include "chatkit/util/origins.hpp"
#include "chatkit/util/time.hpp"

namespace chatkit::handlers {

namespace {

using boost::asio::awaitable;

struct auth_routes {
    services::identity_service& identity;
    services::rate_limiter& limiter;
    const config::config& cfg;

    static http::reply sent() { return http::json_reply(200, boost::json::object{{"status", "verification_sent"}}); }

    // Signup and resend answer the same for unknown, unverified and verified
    // addresses; only a malformed request or a limit shows through.
    awaitable<http::reply> request_link(http::request& req, http::request_context& ctx, bool resend) const
    {
        auto parsed = http::parse_json_object(req, ctx, cfg.max_json_depth);
        if (auto* error = std::get_if<http::reply>(&parsed))
            co_return std::move(*error);
        http::json_fields fields(std::get<boost::json::object>(parsed), ctx);
        auto raw_email = fields.string("email");
        auto consent = resend ? std::optional<bool>(false) : fields.boolean("consent_data_storage");
        auto return_url = fields.string("return_url", false);
        if (fields.error())
            co_return *fields.error();
        auto email = services::normalize_email(*raw_email);
        if (!email)
            co_return http::error_reply(ctx, 400, "INVALID_EMAIL", "That is not a valid email address.",
                                        boost::json::object{{"field", "email"}});
        if (!resend && !*consent)
            co_return http::error_reply(ctx, 400, "CONSENT_REQUIRED", "Signing up needs consent to store your data.",
                                        boost::json::object{{"field", "consent_data_storage"}});
        std::vector<services::limit_check> checks;
        checks.push_back({"verification_mail:address:" + *email, &cfg.rates.verify_email_address,
                          std::string("verification mail per address")});
        auto exceeded = co_await limiter.hit(checks);
        if (exceeded)
            co_return http::too_many_requests(ctx, exceeded->retry_after, exceeded->limit);
        // A return_url the operator did not allow falls back to
        // PUBLIC_VERIFY_URL rather than failing: the reader still gets a link.
        auto back = util::accepted_return_url(return_url.value_or(""), cfg.cors_origins, !cfg.production());
        co_await identity.send_link(*email, !resend && *consent, resend, back.value_or(""));
        co_return sent();
    }

    awaitable<http::reply> anonymous(http::request&, http::request_context&) const
    {
        auto s = co_await identity.start_anonymous();
        co_return http::json_reply(200, boost::json::object{{"anon_token", s.token},
                                                            {"anon_id", s.session_id},
                                                            {"expires_at", util::rfc3339(s.expires_at)}});
    }

    awaitable<http::reply> verify(http::request& req, http::request_context& ctx) const
    {
        auto parsed = http::parse_json_object(req, ctx, cfg.max_json_depth);
        if (auto* error = std::get_if<http::reply>(&parsed))
            co_return std::move(*error);
        http::json_fields fields(std::get<boost::json::object>(parsed), ctx);
        auto token = fields.string("token");
        if (fields.error())
            co_return *fields.error();
        auto login = co_await identity.verify(*token);
        if (!login) {
            if (login.error() == errc::token_expired)
                co_return http::error_reply(ctx, 400, "TOKEN_EXPIRED", "This link has expired; ask for a new one.");
            co_return http::error_reply(ctx, 400, "INVALID_TOKEN", "This link is not valid or was already used.");
        }
        co_return http::json_reply(
            200, boost::json::object{
                     {"session_token", login->session.token},
                     {"expires_at", util::rfc3339(login->session.expires_at)},
                     {"user_profile",
                      boost::json::object{{"email", login->email}, {"tier", login->tier}, {"email_verified", true}}}});
    }

    awaitable<http::reply> session_check(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        const auto& c = *ctx.caller;
        boost::json::value user = nullptr;
        if (!c.anonymous())
            user = boost::json::object{{"email", c.email}, {"tier", http::tier_name(c.tier)}};
        co_return http::json_reply(200, boost::json::object{{"valid", true},
                                                            {"user", user},
                                                            {"tier", http::tier_name(c.tier)},
                                                            {"expires_at", util::rfc3339(c.expires_at)}});
    }

    awaitable<http::reply> verification_status(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        auto verified = co_await identity.verified(*ctx.caller);
        if (!verified)
            co_return http::session_expired(ctx);
        co_return http::json_reply(200, boost::json::object{{"verified", verified.value()}});
    }

    awaitable<http::reply> refresh(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        auto issued = co_await identity.refresh(*ctx.caller);
        if (!issued)
            co_return http::session_expired(ctx);
        co_return http::json_reply(
            200, boost::json::object{{"token", issued->token}, {"expires_at", util::rfc3339(issued->expires_at)}});
    }

    awaitable<http::reply> logout(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        co_await identity.logout(*ctx.caller);
        co_return http::no_content();
    }

    // The signed-in reader's account and everything kept about it.
    awaitable<http::reply> delete_account(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        co_await identity.delete_account(ctx.caller->user_id);
        co_return http::no_content();
    }

    awaitable<http::reply> migrate(http::request& req, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto parsed = http::parse_json_object(req, ctx, cfg.max_json_depth);
        if (auto* error = std::get_if<http::reply>(&parsed))
            co_return std::move(*error);
        http::json_fields fields(std::get<boost::json::object>(parsed), ctx);
        auto anon_token = fields.string("anon_token");
        if (fields.error())
            co_return *fields.error();
        auto moved = co_await identity.migrate(*ctx.caller, *anon_token);
        if (!moved)
            co_return http::error_reply(ctx, 404, "SESSION_NOT_FOUND",
                                        "No anonymous session can be migrated with that token.");
        co_return http::json_reply(200, boost::json::object{{"migrated_messages", moved.value()}});
    }
};

} // namespace

void mount_auth(http::router& r, services::identity_service& identity, services::rate_limiter& limiter,
                const config::config& cfg)
{
    auto routes = std::make_shared<auth_routes>(auth_routes{identity, limiter, cfg});
    auto bind = [routes](awaitable<http::reply> (auth_routes::*fn)(http::request&, http::request_context&) const) {
        return [routes, fn](http::request& req, http::request_context& ctx) {
            return ((*routes).*fn)(req, ctx);
        };
    };
    const http::route_options json{.body_limit = 4096, .json_body = true};
    const http::route_options mail{.body_limit = 4096, .json_body = true, .rate = http::rate_action::verification_mail};

    r.add("POST", "/api/v1/auth/anonymous", bind(&auth_routes::anonymous),
          {.body_limit = 1024, .json_body = false, .rate = http::rate_action::anonymous_session});
    r.add(
        "POST", "/api/v1/auth/signup",
        [routes](http::request& req, http::request_context& ctx) { return routes->request_link(req, ctx, false); },
        mail);
    r.add(
        "POST", "/api/v1/auth/resend-verification",
        [routes](http::request& req, http::request_context& ctx) { return routes->request_link(req, ctx, true); },
        mail);
    r.add("POST", "/api/v1/auth/verify", bind(&auth_routes::verify), json);
    r.add("GET", "/api/v1/auth/session-check", bind(&auth_routes::session_check));
    r.add("GET", "/api/v1/auth/verification-status", bind(&auth_routes::verification_status));
    r.add("POST", "/api/v1/auth/refresh-token", bind(&auth_routes::refresh), {.body_limit = 1024});
    r.add("POST", "/api/v1/auth/logout", bind(&auth_routes::logout), {.body_limit = 1024});
    r.add("DELETE", "/api/v1/user", bind(&auth_routes::delete_account), {.body_limit = 1024});
    r.add("POST", "/api/v1/auth/migrate-session", bind(&auth_routes::migrate), json);
}

} // namespace chatkit::handlers
