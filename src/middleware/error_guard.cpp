#include "chatkit/middleware/error_guard.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/obs/logger.hpp"
#include "chatkit/store/db.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace chatkit::middleware {

namespace {

constexpr long long retry_after_seconds = 5;

} // namespace

boost::asio::awaitable<http::reply> error_guard::handle(http::request& req, http::request_context& ctx,
                                                        http::next_handler next) const
{
    std::string what;
    bool unavailable = false;
    try {
        co_return co_await next(req, ctx);
    } catch (const store::unavailable& e) {
        unavailable = true;
        what = e.what();
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "non-standard exception";
    }
    if (unavailable) {
        spdlog::warn("database unavailable on {} {} rid={}: {}", obs::sanitize(req.method, 16),
                     obs::sanitize(req.path, 256), ctx.request_id, obs::sanitize(what));
        auto r = http::error_reply(ctx, 503, "SERVICE_UNAVAILABLE",
                                   "The service is temporarily unavailable; try again shortly.",
                                   boost::json::object{{"retry_after", retry_after_seconds}});
        r.headers.add("Retry-After", std::to_string(retry_after_seconds));
        co_return r;
    }
    spdlog::error("unhandled exception on {} {} rid={}: {}", obs::sanitize(req.method, 16),
                  obs::sanitize(req.path, 256), ctx.request_id, obs::sanitize(what));
    co_return http::error_reply(ctx, 500, "INTERNAL_ERROR", "An internal error occurred.");
}

} // namespace chatkit::middleware
