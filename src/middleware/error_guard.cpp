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

http::reply error_guard::recover(std::exception_ptr e, const http::request& req, const http::request_context& ctx) const
{
    std::string what;
    bool unavailable = false;
    try {
        std::rethrow_exception(e);
    } catch (const store::unavailable& failure) {
        unavailable = true;
        what = failure.what();
    } catch (const std::exception& failure) {
        what = failure.what();
    } catch (...) {
        what = "non-standard exception";
    }
    if (unavailable) {
        spdlog::warn("database unavailable on {} {} rid={}: {}", obs::clip(req.method, 16),
                     obs::clip(ctx.loggable_path(req), 256), ctx.request_id, obs::clip(what));
        auto r = http::error_reply(ctx, 503, "SERVICE_UNAVAILABLE",
                                   "The service is temporarily unavailable; try again shortly.",
                                   boost::json::object{{"retry_after", retry_after_seconds}});
        r.headers.add("Retry-After", std::to_string(retry_after_seconds));
        return r;
    }
    spdlog::error("unhandled exception on {} {} rid={}: {}", obs::clip(req.method, 16),
                  obs::clip(ctx.loggable_path(req), 256), ctx.request_id, obs::clip(what));
    return http::error_reply(ctx, 500, "INTERNAL_ERROR", "An internal error occurred.");
}

} // namespace chatkit::middleware
