#include "chatkit/handlers/ops.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/obs/metrics.hpp"
#include "chatkit/store/health_probe.hpp"
#include "chatkit/version.hpp"

#include <chrono>

namespace chatkit::handlers {

void mount_ops(http::router& r, obs::metrics_registry& metrics, store::health_probe* db)
{
    auto started = std::chrono::steady_clock::now();
    r.add(
        "GET", "/health", [db, started](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
            auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
            boost::json::object body{{"status", "ok"}, {"uptime_seconds", uptime.count()}, {"version", version()}};
            unsigned status = 200;
            if (db) {
                bool up = co_await db->database_responds();
                body["database"] = up ? "connected" : "unavailable";
                if (!up) {
                    body["status"] = "degraded";
                    status = 503;
                }
            }
            co_return http::json_reply(status, body);
        });
    r.add("GET", "/metrics", [&metrics](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        http::reply reply;
        reply.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        reply.body = metrics.render();
        co_return reply;
    });
}

} // namespace chatkit::handlers
