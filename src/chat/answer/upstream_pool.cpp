#include "chatkit/chat/answer/upstream_pool.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <vector>

namespace chatkit::chat {

namespace asio = boost::asio;

namespace {

asio::execution_context* context_of(const asio::any_io_executor& executor)
{
    return &asio::query(executor, asio::execution::context);
}

} // namespace

std::unique_ptr<upstream_connection> upstream_pool::take(const asio::any_io_executor& executor)
{
    // Closed outside the lock: closing is a system call.
    std::vector<std::unique_ptr<upstream_connection>> expired;
    std::unique_ptr<upstream_connection> found;
    {
        std::lock_guard lock(mutex_);
        auto now = std::chrono::steady_clock::now();
        while (!idle_.empty() && now - idle_.front()->idle_since > max_idle_) {
            expired.push_back(std::move(idle_.front()));
            idle_.pop_front();
        }
        auto* wanted = context_of(executor);
        // Newest first: the least likely to have been closed by the upstream.
        for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
            if (context_of((*it)->lowest().get_executor()) == wanted) {
                found = std::move(*it);
                idle_.erase(std::next(it).base());
                break;
            }
        }
    }
    return found;
}

void upstream_pool::give(std::unique_ptr<upstream_connection> connection)
{
    connection->lowest().expires_never();
    connection->idle_since = std::chrono::steady_clock::now();
    std::unique_ptr<upstream_connection> evicted;
    {
        std::lock_guard lock(mutex_);
        if (idle_.size() >= capacity_) {
            evicted = std::move(idle_.front());
            idle_.pop_front();
        }
        idle_.push_back(std::move(connection));
    }
}

void upstream_pool::clear()
{
    std::deque<std::unique_ptr<upstream_connection>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(idle_);
    }
}

std::size_t upstream_pool::idle()
{
    std::lock_guard lock(mutex_);
    return idle_.size();
}

} // namespace chatkit::chat
