#include "chatkit/services/analytics.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace chatkit::services {

namespace asio = boost::asio;

analytics_service::analytics_service(store::db_executor& db, asio::any_io_executor executor)
    : db_(db), executor_(executor), timer_(executor)
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

void analytics_service::start()
{
    asio::co_spawn(executor_, loop(), asio::detached);
}

void analytics_service::stop()
{
    stopped_ = true;
    asio::post(executor_, [this] { timer_.cancel(); });
}

asio::awaitable<void> analytics_service::loop()
{
    while (!stopped_) {
        timer_.expires_after(std::chrono::milliseconds(250));
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        co_await flush();
    }
    co_await flush();
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
