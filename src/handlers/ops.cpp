#include "chatkit/handlers/ops.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/obs/metrics.hpp"
#include "chatkit/store/health_probe.hpp"
#include "chatkit/version.hpp"

#include <atomic>
#include <chrono>
#include <memory>

namespace chatkit::handlers {

namespace {

using clock = std::chrono::steady_clock;

// Load balancers poll /health hard; one database probe per 250 ms answers
// them all, and an outage still shows within a quarter of a second.
class database_health {
public:
    explicit database_health(store::health_probe& db) : db_(db) {}

    boost::asio::awaitable<bool> up()
    {
        auto checked = checked_.load(std::memory_order_acquire);
        if (checked != 0 && clock::now().time_since_epoch().count() - checked < interval)
            co_return up_.load(std::memory_order_acquire);
        bool result = co_await db_.database_responds();
        up_.store(result, std::memory_order_release);
        checked_.store(clock::now().time_since_epoch().count(), std::memory_order_release);
        co_return result;
    }

private:
    static constexpr auto interval = std::chrono::duration_cast<clock::duration>(std::chrono::milliseconds(250)).count();
    store::health_probe& db_;
    std::atomic<bool> up_{false};
    std::atomic<clock::rep> checked_{0};
};

} // namespace

void mount_ops(http::router& r, obs::metrics_registry& metrics, store::health_probe* db)
{
    auto started = clock::now();
    auto health = db ? std::make_shared<database_health>(*db) : nullptr;
    r.add("GET", "/health",
          [health, started](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - started);
              boost::json::object body{{"status", "ok"}, {"uptime_seconds", uptime.count()}, {"version", version()}};
              unsigned status = 200;
              if (health) {
                  bool up = co_await health->up();
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
