#pragma once

#include "chatkit/services/smtp_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <optional>

namespace chatkit::security {
class keyring;
}
namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

// Delivers the outbox: claims due rows, sends them over SMTP on a blocking
// pool, marks them sent (wiping the sealed body) or retries with exponential
// backoff (1 s, 2 s, 4 s ... capped at 1 h; failed after 12 attempts).
// Unsent rows left by a crash are picked up on the next start, so delivery
// is at-least-once. Without SMTP (development only) mail goes to the log.
class mail_sender {
public:
    mail_sender(store::db_executor& db, const security::keyring& keys, std::optional<smtp_settings> smtp,
                boost::asio::any_io_executor executor);

    // Spawns the delivery loop on the executor.
    void start();
    // Wake the loop now (a row was just queued). Thread-safe.
    void notify();
    // Ends the loop after the current batch. Thread-safe.
    void stop();

    static constexpr int max_attempts = 12;

    // Mail not yet sent nor given up on, as last counted (after each
    // delivery pass, at least once a minute); -1 before the first count.
    [[nodiscard]] long long pending() const { return pending_.load(std::memory_order_relaxed); }

private:
    boost::asio::awaitable<void> loop();
    boost::asio::awaitable<void> deliver_due();

    store::db_executor& db_;
    const security::keyring& keys_;
    std::optional<smtp_settings> smtp_;
    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer wake_;
    boost::asio::thread_pool smtp_pool_{1};
    std::atomic<bool> stopped_{false};
    // Set by notify(): mail queued while a pass was reading the outbox is
    // sent now, not after the sleep that pass chose without it.
    std::atomic<bool> notified_{false};
    std::atomic<long long> pending_{-1};
};

} // namespace chatkit::services
