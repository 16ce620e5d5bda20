#pragma once

#include "chatkit/services/periodic_flush.hpp"
#include "chatkit/store/chat_repo.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

// Records answer streams in the database in batches: every 100 ms while
// there is something to write or an answer is being produced (asleep
// otherwise), all streams' new rows, frames and endings in one transaction,
// instead of a transaction per stream per flush (10,000 open streams would otherwise ask
// SQLite for 50,000 commits a second). The same pass picks up cancel
// requests made on other instances, and (every tenth pass) answers whose
// session was logged out or revoked anywhere. A resume on another instance
// therefore trails the producer by up to one batch. Writes are idempotent,
// and the checks after the commit run apart from it: a failure there never
// sends a committed batch round again.
class stream_journal final : public periodic_flush {
public:
    // Stops a local answer: cancelled on another instance, or its session ended.
    using cancel_fn = std::function<void(const std::string& message_id, bool session_ended)>;

    stream_journal(store::db_executor& db, boost::asio::any_io_executor executor, cancel_fn cancel_local);

    void created(store::chat_repo::new_stream row);
    void frame(std::string message_id, long long seq, std::string frame);
    struct ending {
        std::string conversation_key;
        std::string session_id;
        std::string user_id;
        store::chat_repo::turn turn; // an empty complete answer: nothing to remember
        long long finished_at;
        long long now_ms;
    };
    void finished(std::string message_id, ending e);
    // Streams this instance produces now, for the cancel-request check.
    void producing(const std::string& message_id, bool active);
    // Returns once everything queued before the call is in the database
    // (or a second has passed).
    boost::asio::awaitable<void> settled();

    static constexpr std::size_t capacity = 1'000'000;

private:
    using create_op = store::chat_repo::new_stream;
    using frame_op = store::chat_repo::stream_event;
    struct finish_op {
        std::string message_id;
        ending e;
    };
    using op = std::variant<create_op, frame_op, finish_op>;

    void push(op o);
    boost::asio::awaitable<void> flush() override;

    store::db_executor& db_;
    cancel_fn cancel_local_;
    std::mutex mutex_;
    std::vector<op> queue_;
    std::vector<std::string> active_;
    std::atomic<std::uint64_t> flushed_{0}; // flush passes completed
    unsigned pass_ = 0;
};

} // namespace chatkit::services
