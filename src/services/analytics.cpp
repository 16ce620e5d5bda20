#include "chatkit/services/analytics.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

#include <spdlog/spdlog.h>

namespace chatkit::services {

namespace asio = boost::asio;

analytics_service::analytics_service(store::db_executor& db, asio::any_io_executor executor)
    : periodic_flush(executor, std::chrono::milliseconds(250)), db_(db)
{
}

std::optional<event_receipt> analytics_service::record(std::string event_type, std::string event_data,
                                                       std::optional<std::string> user_id,
                                                       std::optional<std::string> session_id)
{
    event_receipt receipt{security::new_uuid(), util::now_seconds()};
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity)
        return std::nullopt;
    queue_.push_back({receipt.event_id, std::move(event_type), std::move(event_data), std::move(user_id),
                      std::move(session_id), receipt.logged_at});
    return receipt;
}

asio::awaitable<void> analytics_service::flush()
{
    std::vector<store::analytics_repo::event_row> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(queue_);
    }
    if (batch.empty())
        co_return;
    try {
        co_await db_.write([&](soci::session& s) { store::analytics_repo::insert_batch(s, batch); });
    } catch (const std::exception& e) {
        // Put the batch back (ahead of newer events) and try again next tick.
        spdlog::warn("analytics: could not write {} events: {}", batch.size(), e.what());
        std::lock_guard lock(mutex_);
        if (batch.size() + queue_.size() <= capacity) {
            batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
            queue_.swap(batch);
        }
    }
}

} // namespace chatkit::services
