#include "chatkit/middleware/https_guard.hpp"

#include "chatkit/http/json_reply.hpp"

namespace chatkit::middleware {

boost::asio::awaitable<http::reply> https_guard::handle(http::request& req, http::request_context& ctx,
                                                        http::next_handler next) const
{
    if (enforce_ && !ctx.secure && req.path != "/health")
        co_return http::error_reply(ctx, 403, "HTTPS_REQUIRED",
                                    "This server only accepts HTTPS requests; use https:// to reach it.");
    co_return co_await next(req, ctx);
}

} // namespace chatkit::middleware
