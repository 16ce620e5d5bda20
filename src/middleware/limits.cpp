#include "chatkit/middleware/limits.hpp"

#include "chatkit/http/json_reply.hpp"

namespace chatkit::middleware {

std::optional<http::reply> limits::before(http::request&, http::request_context& ctx) const
{
    if (!ctx.rejected)
        return std::nullopt;
    auto r = http::error_reply(ctx, ctx.rejected->status, ctx.rejected->code, ctx.rejected->message);
    r.close = true;
    return r;
}

} // namespace chatkit::middleware
