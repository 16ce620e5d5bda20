#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chatkit::chat {

// The fields of a `token` frame carrying `text` (no id line).
[[nodiscard]] std::string token_fields(std::string_view text);

// Who may resume or cancel an answer: its user, else its anonymous session.
// A stream made without any token has neither; its random message id is the
// only capability.
struct stream_owner {
    std::string user_id;
    std::string session_id;

    [[nodiscard]] bool admits(const std::string& caller_user, const std::string& caller_session) const;
};

// One answer being produced: every SSE frame it has emitted, in order, shared
// by any number of listeners (the first request, resumes). Frames are kept
// once, whatever the number or speed of listeners, so a slow reader cannot
// grow server memory; it only falls behind, and is dropped by its socket's
// write deadline, and may resume.
class answer_stream : public std::enable_shared_from_this<answer_stream> {
public:
    answer_stream(std::string message_id, stream_owner owner, boost::asio::any_io_executor producer);

    [[nodiscard]] const std::string& message_id() const { return message_id_; }
    [[nodiscard]] stream_owner owner();
    // A rotated token's session takes over (refresh while answering).
    void transfer_session(const std::string& from, const std::string& to);

    // Producer side: a frame without its id line (http::sse_fields); the
    // stream numbers frames itself. `final` marks the done/error frame.
    void append(std::string_view fields, bool final);
    // A `token` frame ({"content": text}), kept as its text alone: the
    // framing is most of a token frame's bytes, and is rendered on read.
    void append_token(std::string_view text);
    // The answer so far: every token's text, in order.
    [[nodiscard]] std::string text();
    [[nodiscard]] boost::asio::cancellation_slot cancel_slot() { return cancel_.slot(); }
    // Thread-safe: cancels the producer on its own executor. `session_ended`:
    // because its session was logged out or revoked (the stream then ends
    // with an error event, not as a cancelled answer).
    void cancel(bool session_ended = false);
    [[nodiscard]] bool session_ended() const { return session_ended_; }

    // Listener side: every frame from `index` on, each with its id
    // ("<message_id>:<n>"), in one string (one write for a burst of tokens),
    // and how many; nullopt when none exists yet (`finished` tells whether
    // one ever will).
    [[nodiscard]] std::optional<std::string> frames_from(std::size_t index, bool& finished, std::size_t& count);
    // Cancels `timer` (on its executor) as soon as a frame beyond `index`
    // exists; at once if one already does.
    void notify_after(std::size_t index, const std::shared_ptr<boost::asio::steady_timer>& timer);
    void listener_attached();
    void listener_detached();
    // Nobody has listened for `idle`.
    [[nodiscard]] bool abandoned(std::chrono::steady_clock::duration idle);
    [[nodiscard]] bool finished();

private:
    void wake_locked();

    std::string message_id_;
    stream_owner owner_;
    boost::asio::any_io_executor producer_;
    boost::asio::cancellation_signal cancel_;
    std::atomic<bool> session_ended_{false};
    std::mutex mutex_;
    void push_locked(std::string_view bytes, bool token);
    [[nodiscard]] std::string_view entry_locked(std::size_t i) const;

    // All frames in one buffer, with where each starts: a frame costs its
    // bytes and four more, which keeps 10,000 open answers small. A start
    // with token_bit set holds a token's text, not a whole frame.
    static constexpr std::uint32_t token_bit = 0x80000000u;
    std::string bytes_;
    std::vector<std::uint32_t> starts_;
    bool finished_ = false;
    int listeners_ = 0;
    std::chrono::steady_clock::time_point last_listener_ = std::chrono::steady_clock::now();
    std::vector<std::weak_ptr<boost::asio::steady_timer>> waiters_;
};

// The answers this instance is producing or has just produced, by message id.
class stream_registry {
public:
    void add(const std::shared_ptr<answer_stream>& s);
    void remove(const std::string& message_id);
    [[nodiscard]] std::shared_ptr<answer_stream> find(const std::string& message_id);
    // Drops finished streams older than `keep` (their frames are in the
    // database for later resumes). Sweeps at most once a second, so calling
    // it on every new answer costs nothing while thousands are open.
    void prune(std::chrono::steady_clock::duration keep);
    [[nodiscard]] std::size_t size();
    // The streams held now, to act on outside the registry's lock.
    [[nodiscard]] std::vector<std::shared_ptr<answer_stream>> snapshot();

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::pair<std::shared_ptr<answer_stream>, std::chrono::steady_clock::time_point>>
        streams_;
    std::chrono::steady_clock::time_point last_sweep_{};
};

} // namespace chatkit::chat
