#include "chatkit/middleware/error_guard.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/obs/logger.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace chatkit::middleware {

boost::asio::awaitable<http::reply> error_guard::handle(http::request& req, http::request_context& ctx,
                                                        http::next_handler next) const
{
    std::string what;
    try {
        co_return co_await next(req, ctx);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "non-standard exception";
    }
    spdlog::error("unhandled exception on {} {} rid={}: {}", obs::sanitize(req.method, 16),
                  obs::sanitize(req.path, 256), ctx.request_id, obs::sanitize(what));
    co_return http::error_reply(ctx, 500, "INTERNAL_ERROR", "An internal error occurred.");
}

} // namespace chatkit::middleware
