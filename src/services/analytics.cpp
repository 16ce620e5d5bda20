#include "chatkit/services/analytics.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

#include <spdlog/spdlog.h>

namespace chatkit::services {

namespace asio = boost::asio;

analytics_service::analytics_service(store::db_executor& db, asio::any_io_executor executor)
    : periodic_flush(executor, std::chrono::milliseconds(250), schedule::on_wake), db_(db)
{
}

std::optional<std::vector<event_receipt>> analytics_service::record(std::vector<event> events,
                                                                    std::optional<std::string> user_id,
                                                                    std::optional<std::string> session_id)
{
    std::vector<event_receipt> receipts;
    auto now = util::now_seconds();
    for (std::size_t i = 0; i < events.size(); ++i)
        receipts.push_back({security::new_uuid(), now});
    std::lock_guard lock(mutex_);
    if (queue_.size() + events.size() > capacity)
        return std::nullopt;
    for (std::size_t i = 0; i < events.size(); ++i)
        queue_.push_back(
            {receipts[i].event_id, std::move(events[i].type), std::move(events[i].data), user_id, session_id, now});
    wake();
    return receipts;
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
        wake();
    }
}

} // namespace chatkit::services
