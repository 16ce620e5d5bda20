#include "chatkit/middleware/limits.hpp"

#include "chatkit/http/json_reply.hpp"

namespace chatkit::middleware {

boost::asio::awaitable<http::reply> limits::handle(http::request& req, http::request_context& ctx,
                                                   http::next_handler next) const
{
    if (ctx.rejected) {
        auto r = http::error_reply(ctx, ctx.rejected->status, ctx.rejected->code, ctx.rejected->message);
        r.close = true;
        co_return r;
    }
    co_return co_await next(req, ctx);
}

} // namespace chatkit::middleware
