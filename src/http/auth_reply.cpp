#include "chatkit/http/auth_reply.hpp"

#include "chatkit/http/json_reply.hpp"

namespace chatkit::http {

reply session_expired(const request_context& ctx)
{
    auto r = error_reply(ctx, 401, "SESSION_EXPIRED", "The session token is unknown, revoked or expired.");
    r.headers.add("WWW-Authenticate", R"(Bearer error="invalid_token")");
    return r;
}

std::optional<reply> require_caller(const request_context& ctx)
{
    switch (ctx.auth) {
    case credentials::valid:
        return std::nullopt;
    case credentials::invalid:
        return session_expired(ctx);
    case credentials::malformed: {
        auto r = error_reply(ctx, 401, "UNAUTHORIZED", "The Authorization header must be 'Bearer <token>'.");
        r.headers.add("WWW-Authenticate", R"(Bearer error="invalid_request")");
        return r;
    }
    case credentials::none:
        break;
    }
    auto r = error_reply(ctx, 401, "UNAUTHORIZED", "This request needs 'Authorization: Bearer <token>'.");
    r.headers.add("WWW-Authenticate", "Bearer");
    return r;
}

std::optional<reply> require_user(const request_context& ctx)
{
    if (auto denied = require_caller(ctx))
        return denied;
    if (ctx.caller->anonymous()) {
        auto r = error_reply(ctx, 401, "UNAUTHORIZED", "This request needs a signed-in user's token.");
        r.headers.add("WWW-Authenticate", R"(Bearer error="insufficient_scope")");
        return r;
    }
    return std::nullopt;
}

} // namespace chatkit::http
