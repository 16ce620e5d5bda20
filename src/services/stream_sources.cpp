#include "chatkit/services/stream_sources.hpp"

#include "chatkit/http/sse.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/db.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

namespace chatkit::services {

namespace asio = boost::asio;

std::string idle_error_frame(const std::string& message_id, long long seq)
{
    boost::json::object error{
        {"code", "STREAM_IDLE_TIMEOUT"}, {"message", "The answer stopped arriving; ask again."}, {"details", nullptr}};
    return http::sse_event(message_id + ":" + std::to_string(seq), "error",
                           boost::json::serialize(boost::json::object{{"error", error}}));
}

namespace {

// Shared by both listeners: pings while quiet, ends with an error when
// quiet for too long.
class quiet_clock {
public:
    explicit quiet_clock(stream_timing t) : timing_(t) {}
    void heard() { quiet_ = {}; }
    // After a wait that saw nothing: a ping, or nullopt when it is time to give up.
    std::optional<std::string> waited(std::chrono::milliseconds how_long)
    {
        quiet_ += how_long;
        if (quiet_ >= timing_.idle)
            return std::nullopt;
        return http::sse_comment("ping");
    }
    [[nodiscard]] std::chrono::milliseconds wait_slice() const { return std::min(timing_.ping, timing_.idle - quiet_); }

private:
    stream_timing timing_;
    std::chrono::milliseconds quiet_{0};
};

class live_source final : public http::event_source {
public:
    live_source(std::shared_ptr<chat::answer_stream> stream, long long after_seq, stream_timing timing)
        : stream_(std::move(stream)), index_(static_cast<std::size_t>(after_seq + 1)), clock_(timing)
    {
        stream_->listener_attached();
    }
    ~live_source() override { stream_->listener_detached(); }
    live_source(const live_source&) = delete;
    live_source& operator=(const live_source&) = delete;

    std::optional<std::string> ready() override
    {
        bool finished = false;
        return ended_ ? std::nullopt : take(finished);
    }

    asio::awaitable<std::optional<std::string>> next() override
    {
        if (ended_)
            co_return std::nullopt;
        for (;;) {
            bool finished = false;
            if (auto frames = take(finished))
                co_return frames;
            if (finished)
                co_return std::nullopt;
            auto slice = clock_.wait_slice();
            // One timer for the listener's life, not one per wait: a stream
            // waits once per token. A wake meant for an earlier wait may end
            // this one early; the loop then finds nothing and waits again.
            if (!timer_)
                timer_ = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
            timer_->expires_after(slice);
            stream_->notify_after(index_, timer_);
            auto [ec] = co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted) {
                auto state = co_await asio::this_coro::cancellation_state;
                if (state.cancelled() != asio::cancellation_type::none)
                    throw boost::system::system_error(asio::error::operation_aborted);
                continue; // woken: a frame exists
            }
            if (auto ping = clock_.waited(slice))
                co_return *ping;
            ended_ = true;
            co_return idle_error_frame(stream_->message_id(), static_cast<long long>(index_));
        }
    }

private:
    std::optional<std::string> take(bool& finished)
    {
        std::size_t count = 0;
        auto frames = stream_->frames_from(index_, finished, count);
        if (frames) {
            index_ += count;
            clock_.heard();
        }
        return frames;
    }

    std::shared_ptr<chat::answer_stream> stream_;
    std::size_t index_;
    quiet_clock clock_;
    bool ended_ = false;
    std::shared_ptr<asio::steady_timer> timer_;
};

class replay_source final : public http::event_source {
public:
    replay_source(store::db_executor& db, std::string message_id, long long after_seq, stream_timing timing)
        : db_(db), message_id_(std::move(message_id)), seq_(after_seq), timing_(timing), clock_(timing)
    {
    }

    asio::awaitable<std::optional<std::string>> next() override
    {
        for (;;) {
            if (!pending_.empty()) {
                auto frame = std::move(pending_.front());
                pending_.pop_front();
                co_return frame;
            }
            if (done_)
                co_return std::nullopt;
            auto id = message_id_;
            auto after = seq_;
            auto [events, finished] = co_await db_.read([&](soci::session& s) {
                auto rows = store::chat_repo::events_after(s, id, after);
                auto stream = store::chat_repo::find_stream(s, id);
                return std::make_pair(std::move(rows), stream && stream->finished);
            });
            for (auto& [seq, frame] : events) {
                seq_ = seq;
                pending_.push_back(std::move(frame));
            }
            if (!pending_.empty()) {
                clock_.heard();
                polled_ = {};
                continue;
            }
            if (finished) {
                done_ = true;
                continue;
            }
            asio::steady_timer timer(co_await asio::this_coro::executor, timing_.poll);
            co_await timer.async_wait(asio::use_awaitable);
            polled_ += timing_.poll;
            if (polled_ >= clock_.wait_slice()) {
                auto slice = polled_;
                polled_ = {};
                if (auto ping = clock_.waited(slice))
                    co_return *ping;
                done_ = true;
                co_return idle_error_frame(message_id_, seq_ + 1);
            }
        }
    }

private:
    store::db_executor& db_;
    std::string message_id_;
    long long seq_;
    stream_timing timing_;
    quiet_clock clock_;
    std::chrono::milliseconds polled_{0};
    std::deque<std::string> pending_;
    bool done_ = false;
};

} // namespace

std::shared_ptr<http::event_source> live_listener(std::shared_ptr<chat::answer_stream> stream, long long after_seq,
                                                  stream_timing timing)
{
    return std::make_shared<live_source>(std::move(stream), after_seq, timing);
}

std::shared_ptr<http::event_source> replay_listener(store::db_executor& db, std::string message_id, long long after_seq,
                                                    stream_timing timing)
{
    return std::make_shared<replay_source>(db, std::move(message_id), after_seq, timing);
}

} // namespace chatkit::services
