#include "chatkit/handlers/ops.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/obs/metrics.hpp"
#include "chatkit/store/health_probe.hpp"
#include "chatkit/version.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace chatkit::handlers {

namespace {

using clock = std::chrono::steady_clock;

// Load balancers poll /health hard; one database probe per 250 ms answers
// them all, and an outage still shows within a quarter of a second of the
// probe that meets it.
class database_health {
public:
    explicit database_health(store::health_probe& db) : db_(db) {}

    // The last answer while it is fresh; nullopt when this caller is the one
    // to probe. When the answer is stale one caller probes and the others
    // keep answering with the last result while that probe is younger than
    // an interval: the probe is a hop to a database thread, and one per
    // request (whatever arrived while it was out) cost as much as the rest
    // of /health. A probe that hangs longer lets the next caller start
    // another, so a stuck database still turns /health as each one fails.
    [[nodiscard]] std::optional<bool> recent()
    {
        auto now = clock::now().time_since_epoch().count();
        auto checked = checked_.load(std::memory_order_acquire);
        if (checked == 0)
            return std::nullopt;
        if (now - checked < interval)
            return up_.load(std::memory_order_acquire);
        auto started = probe_started_.load(std::memory_order_acquire);
        if ((started <= checked || now - started >= interval) &&
            probe_started_.compare_exchange_strong(started, now, std::memory_order_acq_rel))
            return std::nullopt;
        return up_.load(std::memory_order_acquire);
    }

    boost::asio::awaitable<bool> probe()
    {
        bool result = co_await db_.database_responds();
        up_.store(result, std::memory_order_release);
        checked_.store(clock::now().time_since_epoch().count(), std::memory_order_release);
        co_return result;
    }

    // One statement, not `recent() ? *recent : co_await probe()`: GCC 12
    // evaluates a co_await inside a conditional expression whichever way
    // the condition goes, which probed the database on every request.
    boost::asio::awaitable<bool> up()
    {
        if (auto answer = recent())
            co_return *answer;
        co_return co_await probe();
    }

private:
    static constexpr auto interval =
        std::chrono::duration_cast<clock::duration>(std::chrono::milliseconds(250)).count();
    store::health_probe& db_;
    std::atomic<bool> up_{false};
    std::atomic<clock::rep> checked_{0};
    std::atomic<clock::rep> probe_started_{0};
};

// Load balancers poll /health many times a second, and its body only
// changes once a second: each I/O thread keeps the last one it wrote.
std::string health_body(std::int64_t uptime, std::optional<bool> database_up)
{
    struct last_body {
        std::int64_t uptime = -1;
        std::optional<bool> database_up;
        std::string body;
    };
    thread_local last_body last;
    if (last.uptime == uptime && last.database_up == database_up)
        return last.body;
    bool up = database_up.value_or(true);
    boost::json::object body{{"status", up ? "ok" : "degraded"}, {"uptime_seconds", uptime}, {"version", version()}};
    if (database_up)
        body["database"] = up ? "connected" : "unavailable";
    last = {uptime, database_up, boost::json::serialize(body)};
    return last.body;
}

} // namespace

void mount_probes(http::router& r, store::health_probe* db, const std::atomic<bool>* draining)
{
    auto started = clock::now();
    auto health = db ? std::make_shared<database_health>(*db) : nullptr;
    r.add("GET", "/health",
          [health, started](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - started).count();
              std::optional<bool> database_up; // no database line without a database
              if (health)
                  database_up = co_await health->up();
              co_return http::json_reply(database_up.value_or(true) ? 200 : 503, health_body(uptime, database_up));
          });
    // Alive: the process answers; nothing else is asked, so a slow database
    // never gets a healthy process restarted.
    r.add("GET", "/livez", [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        co_return http::json_reply(200, std::string(R"({"status":"alive"})"));
    });
    // Ready for traffic: the database answers (migrations were applied before
    // the server listened) and no drain has begun.
    r.add("GET", "/readyz",
          [health, draining](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              if (draining && draining->load())
                  co_return http::json_reply(503, std::string(R"({"status":"draining"})"));
              bool up = true;
              if (health)
                  up = co_await health->up();
              co_return http::json_reply(
                  up ? 200 : 503,
                  std::string(up ? R"({"status":"ready"})" : R"({"status":"unavailable","database":"unavailable"})"));
          });
}

void mount_metrics(http::router& r, obs::metrics_registry& metrics)
{
    r.add("GET", "/metrics", [&metrics](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        http::reply reply;
        reply.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        reply.body = metrics.render();
        co_return reply;
    });
}

} // namespace chatkit::handlers
