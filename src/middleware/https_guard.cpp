#include "chatkit/middleware/https_guard.hpp"

#include "chatkit/http/json_reply.hpp"

namespace chatkit::middleware {

std::optional<http::reply> https_guard::before(http::request& req, http::request_context& ctx) const
{
    // A request refused for its framing gets its 400 from `limits`: its
    // headers (X-Forwarded-Proto among them) were never trusted. Probes from
    // load balancers and orchestrators come over plain HTTP and carry nothing.
    bool probe = req.path == "/health" || req.path == "/livez" || req.path == "/readyz";
    if (enforce_ && !ctx.secure && !ctx.rejected && !probe)
        return http::error_reply(ctx, 403, "HTTPS_REQUIRED",
                                 "This server only accepts HTTPS requests; use https:// to reach it.");
    return std::nullopt;
}

} // namespace chatkit::middleware
