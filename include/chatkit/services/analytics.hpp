#pragma once

#include "chatkit/services/periodic_flush.hpp"
#include "chatkit/store/analytics_repo.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

struct event_receipt {
    std::string event_id;
    long long logged_at;
};

// Analytics events are queued in memory and written in batches (one
// transaction at most every 250 ms, none while nothing came), so recording one costs the request a lock and
// a vector push. The queue is bounded: when the database falls behind by
// more than `capacity` events, record() refuses instead of growing memory.
// A crash can lose the last 250 ms of events; they are analytics, not data.
class analytics_service final : public periodic_flush {
public:
    analytics_service(store::db_executor& db, boost::asio::any_io_executor executor);

    struct event {
        std::string type;
        std::string data; // serialized JSON object, or empty
    };
    // Queues every event or none (nullopt: the queue is full); the receipts
    // share one time.
    std::optional<std::vector<event_receipt>> record(std::vector<event> events, std::optional<std::string> user_id,
                                                     std::optional<std::string> session_id);

    static constexpr std::size_t capacity = 100'000;

private:
    boost::asio::awaitable<void> flush() override;

    store::db_executor& db_;
    std::mutex mutex_;
    std::vector<store::analytics_repo::event_row> queue_;
};

} // namespace chatkit::services
