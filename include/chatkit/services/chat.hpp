#pragma once

#include "chatkit/chat/answer/generator.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/stream/answer_stream.hpp"
#include "chatkit/http/reply.hpp"
#include "chatkit/services/stream_sources.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/util/result.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {
class section_vectors;
class stream_journal;
} // namespace chatkit::services

namespace chatkit::services {

struct chat_request {
    std::string message;
    std::string mode = "browse";
    std::string selected_text;
    std::string conversation;    // context.session_id: the widget's conversation thread
    std::string request_id = {}; // the asking request's, for the model provider's logs
};

struct chat_caller {
    std::string user_id;
    std::string session_id; // empty: no token, nothing is stored
};

struct chat_settings {
    stream_timing timing;
    std::chrono::seconds abandon_after{60};   // no listener this long: cancel the answer
    std::size_t max_answer_bytes = 64 * 1024; // an answer past this ends with an error event
    std::chrono::seconds keep_finished{30};   // a finished answer stays in memory this long
    std::string instance_id;                  // this instance, recorded with each answer
};

struct full_answer {
    std::string message_id;
    std::string answer;
    boost::json::value sources;
    boost::json::value metadata;
};

// Retrieval, generation, streaming and history. Every answer is produced by
// a coroutine of its own, detached from the request that asked for it: a
// client that disconnects does not stop it (it may resume); the cancel
// endpoint or 60 s without any listener does.
class chat_service {
public:
    // `meaning`: the embeddings of the corpus and questions, or null for
    // lexical retrieval only.
    chat_service(store::db_executor& db, stream_journal& journal, std::shared_ptr<const chat::retriever> corpus,
                 chat::generator& generator, chat_settings settings, section_vectors* meaning = nullptr);

    // Records the stream, starts producing, returns a listener from the start.
    boost::asio::awaitable<std::shared_ptr<http::event_source>> stream(const chat_request& req,
                                                                       const chat_caller& caller);
    // The whole answer; errc::timed_out when it took longer than `limit`
    // (the answer is then cancelled), errc::generation_failed when the model
    // refused or could not be reached.
    boost::asio::awaitable<result<full_answer>> answer(const chat_request& req, const chat_caller& caller,
                                                       std::chrono::milliseconds limit);
    // A listener for frames after `after_seq`. No source: an unknown or
    // foreign message, or (`nothing_left`) a finished answer whose last
    // frame the caller already has.
    struct resumption {
        std::shared_ptr<http::event_source> source;
        bool nothing_left = false;
    };
    boost::asio::awaitable<resumption> resume(const std::string& message_id, long long after_seq,
                                              const chat_caller& caller);
    // false for an unknown or foreign message.
    boost::asio::awaitable<bool> cancel(const std::string& message_id, const chat_caller& caller);
    // A reader's rating of an answer, replacing their earlier one; false for
    // an answer they may not resume (unknown, or another's).
    struct answer_rating {
        std::string message_id;
        std::string rating;                // up | down
        std::optional<std::string> reason; // checked by the caller
        std::optional<std::string> comment;
    };
    boost::asio::awaitable<bool> rate(const answer_rating& r, const chat_caller& caller);
    // Ratings stored by this instance since it started, for /metrics.
    [[nodiscard]] std::uint64_t ratings(bool up) const { return (up ? rated_up_ : rated_down_).load(); }

    // A rotated token's session takes over its predecessor's answers here.
    void session_rotated(const std::string& from, const std::string& to);
    // Logged out: this instance's answers of that session end now, with an
    // error event (other instances learn it through the stream journal).
    void session_ended(const std::string& session_id);

    // Swaps in a freshly loaded corpus (SIGHUP); answers in flight keep theirs.
    void replace_corpus(std::shared_ptr<const chat::retriever> corpus);
    [[nodiscard]] std::shared_ptr<const chat::retriever> corpus();
    [[nodiscard]] chat::stream_registry& registry() { return registry_; }
    [[nodiscard]] std::string model() const { return generator_.model(); }

private:
    struct production;
    boost::asio::awaitable<std::shared_ptr<chat::answer_stream>> start(const chat_request& req,
                                                                       const chat_caller& caller, bool streamed);
    boost::asio::awaitable<void> produce(std::shared_ptr<production> p);
    // What a follow-up ("and on PostgreSQL?") refers to: the conversation's
    // last finished turns for the model, and its last questions for the
    // search. Read only when the question refers back or the generator reads
    // the conversation.
    struct conversation_context {
        std::vector<chat::turn> turns; // oldest first
        std::string questions;         // the last question, and the one before when it referred back too
    };
    boost::asio::awaitable<conversation_context> conversation_of(const chat_request& req, const chat_caller& caller);
    // The sources for a question: by words and meaning when the corpus's
    // vectors exist and the question's arrives in time, else by words.
    // Sets p.retrieval to which it was.
    boost::asio::awaitable<std::vector<chat::hit>> sources_for(production& p, const std::string& earlier);
    // The caller may resume or cancel the answer: its owner here, or, when a
    // rotation elsewhere made this copy stale, the owner the database knows.
    boost::asio::awaitable<bool> admits(chat::answer_stream& s, const chat_caller& caller);
    // Another instance's answer as the database has it, when the caller
    // may act on it. Looked for again for timing.unknown_wait (the producer's
    // journal writes in batches); nullopt when unknown or another's.
    boost::asio::awaitable<std::optional<store::chat_repo::stream_row>> recorded_stream(const std::string& message_id,
                                                                                        const chat_caller& caller);
    // Appends one frame to the answer and to the journal.
    void emit(production& p, std::string_view event, const boost::json::value& data, bool final);
    void emit_token(production& p, std::string_view text);
    // The answer's last frame, its turn for the journal, and its frames'
    // removal once kept long enough.
    void finish(production& p, const boost::asio::any_io_executor& executor);
    // Hands the frame, with its id line, to the journal.
    void journal_frame(production& p, std::string_view fields);

    store::db_executor& db_;
    stream_journal& journal_;
    std::mutex corpus_mutex_;
    std::shared_ptr<const chat::retriever> corpus_;
    chat::generator& generator_;
    chat_settings settings_;
    section_vectors* meaning_;
    chat::stream_registry registry_;
    std::atomic<std::uint64_t> rated_up_{0}, rated_down_{0};
};

// sources -> [{"id","title","url","excerpt","score"}]
[[nodiscard]] boost::json::value sources_json(const std::vector<chat::hit>& hits);

} // namespace chatkit::services
