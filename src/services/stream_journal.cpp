#include "chatkit/services/stream_journal.hpp"

#include "chatkit/store/db.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chatkit::services {

namespace asio = boost::asio;

stream_journal::stream_journal(store::db_executor& db, asio::any_io_executor executor, cancel_fn cancel_local)
    : periodic_flush(executor, std::chrono::milliseconds(100), schedule::on_wake), db_(db),
      cancel_local_(std::move(cancel_local))
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
    wake();
}

void stream_journal::created(store::chat_repo::new_stream row)
{
    push(std::move(row));
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
    if (active) {
        active_.push_back(message_id);
        wake(); // passes continue while an answer is produced: they carry its cancel checks
    } else {
        std::erase(active_, message_id);
    }
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
    if (batch.empty() && active.empty()) {
        ++flushed_;
        co_return;
    }
    try {
        co_await db_.write([&](soci::session& s) {
            soci::transaction tx(s);
            // Streams first, then every frame, then endings: each stream's
            // own order holds, and all frames share one prepared statement.
            std::vector<frame_op> frames;
            for (auto& o : batch) {
                if (auto* c = std::get_if<create_op>(&o))
                    store::chat_repo::insert_stream(s, *c);
                else if (auto* f = std::get_if<frame_op>(&o))
                    frames.push_back(*f);
            }
            store::chat_repo::append_events(s, frames);
            for (auto& o : batch) {
                if (auto* d = std::get_if<finish_op>(&o)) {
                    store::chat_repo::finish_stream(s, d->message_id, d->e.finished_at);
                    // A question whose answer failed or was stopped before its
                    // first word is kept too, with that status.
                    bool said = !d->e.turn.answer.empty() || d->e.turn.status != "complete";
                    if (!d->e.session_id.empty() && said)
                        store::chat_repo::record_turn(s, d->message_id, d->e.conversation_key, d->e.session_id,
                                                      d->e.user_id, d->e.turn, d->e.now_ms);
                }
            }
            tx.commit();
        });
    } catch (const std::exception& e) {
        spdlog::warn("stream journal: could not write {} records, retrying: {}", batch.size(), e.what());
        std::lock_guard lock(mutex_);
        batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.swap(batch);
        wake();
        co_return;
    }
    ++flushed_;
    if (active.empty())
        co_return;
    wake();
    // Its own job: what it reads was committed, and a failure here only
    // delays a cancel until the next pass.
    bool with_sessions = ++pass_ % 10 == 0;
    try {
        auto stop =
            co_await db_.read([&](soci::session& s) { return store::chat_repo::streams_to_stop(s, with_sessions); });
        for (const auto& s : stop)
            if (std::find(active.begin(), active.end(), s.message_id) != active.end())
                cancel_local_(s.message_id, s.session_ended);
    } catch (const std::exception& e) {
        spdlog::warn("stream journal: could not check for cancelled answers: {}", e.what());
    }
}

asio::awaitable<void> stream_journal::settled()
{
    // Two passes from now: the one running may have taken its batch before
    // this call's records were queued.
    auto target = flushed_.load() + 2;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 50 && flushed_.load() < target; ++i) {
        wake(); // an idle journal passes only when asked
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

} // namespace chatkit::services
