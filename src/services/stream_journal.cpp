#include "chatkit/services/stream_journal.hpp"

#include "chatkit/store/db.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chatkit::services {

namespace asio = boost::asio;

stream_journal::stream_journal(store::db_executor& db, asio::any_io_executor executor, cancel_fn cancel_local)
    : periodic_flush(executor, std::chrono::milliseconds(100)), db_(db), cancel_local_(std::move(cancel_local))
{
}

void stream_journal::push(op o)
{
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity) {
        spdlog::error("stream journal full: dropping a record (is the database down?)");
        return;
    }
    queue_.push_back(std::move(o));
}

void stream_journal::created(std::string message_id, std::string user_id, std::string session_id, long long now)
{
    push(create_op{std::move(message_id), std::move(user_id), std::move(session_id), now});
}

void stream_journal::frame(std::string message_id, long long seq, std::string frame)
{
    push(frame_op{std::move(message_id), seq, std::move(frame)});
}

void stream_journal::finished(std::string message_id, ending e)
{
    push(finish_op{std::move(message_id), std::move(e)});
}

void stream_journal::producing(const std::string& message_id, bool active)
{
    std::lock_guard lock(mutex_);
    if (active)
        active_.push_back(message_id);
    else
        std::erase(active_, message_id);
}

asio::awaitable<void> stream_journal::flush()
{
    std::vector<op> batch;
    std::vector<std::string> active;
    {
        std::lock_guard lock(mutex_);
        batch.swap(queue_);
        active = active_;
    }
    if (batch.empty() && active.empty())
        co_return;
    std::vector<std::string> cancel_requested;
    try {
        co_await db_.write([&](soci::session& s) {
            soci::transaction tx(s);
            // Streams first, then every frame, then endings: each stream's
            // own order holds, and all frames share one prepared statement.
            std::vector<frame_op> frames;
            for (auto& o : batch) {
                if (auto* c = std::get_if<create_op>(&o))
                    store::chat_repo::insert_stream(s, c->message_id, c->user_id, c->session_id, c->now);
                else if (auto* f = std::get_if<frame_op>(&o))
                    frames.push_back(*f);
            }
            store::chat_repo::append_events(s, frames);
            for (auto& o : batch) {
                if (auto* d = std::get_if<finish_op>(&o)) {
                    store::chat_repo::finish_stream(s, d->message_id, d->e.finished_at);
                    if (!d->e.session_id.empty() && !d->e.turn.answer.empty())
                        store::chat_repo::record_turn(s, d->e.conversation_id, d->e.session_id, d->e.user_id, d->e.turn,
                                                      d->e.now_ms);
                }
            }
            tx.commit();
            if (!active.empty()) {
                std::string id;
                soci::statement st = (s.prepare << "SELECT message_id FROM chat_streams WHERE cancel_requested = 1 "
                                                   "AND finished_at IS NULL",
                                      soci::into(id));
                st.execute();
                while (st.fetch())
                    if (std::find(active.begin(), active.end(), id) != active.end())
                        cancel_requested.push_back(id);
            }
        });
    } catch (const std::exception& e) {
        spdlog::warn("stream journal: could not write {} records, retrying: {}", batch.size(), e.what());
        std::lock_guard lock(mutex_);
        batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.swap(batch);
        co_return;
    }
    for (const auto& id : cancel_requested)
        cancel_local_(id);
}

} // namespace chatkit::services
