#include "chatkit/services/chat.hpp"

#include "chatkit/services/cited_sources.hpp"
#include "chatkit/services/stream_journal.hpp"

#include "chatkit/chat/search/follow_up.hpp"
#include "chatkit/chat/search/hybrid.hpp"
#include "chatkit/http/sse.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/section_vectors.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/feedback_repo.hpp"
#include "chatkit/store/history_repo.hpp"
#include "chatkit/util/time.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <spdlog/spdlog.h>

#include <cmath>

namespace chatkit::services {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t max_sources = 5;
// Turns of context for a follow-up: the question it refers to is nearly
// always the last one; the model gets a little more. A conversation left
// for half an hour starts afresh (clients without a conversation id share
// one for good).
constexpr int context_turns = 3;
constexpr std::chrono::minutes context_age{30};

// Thrown out of the token sink to stop generation.
struct stop_generation {};
// Thrown out of the token sink when the answer grew past its cap.
struct answer_too_long {};

boost::json::object error_event(std::string_view code, std::string_view message)
{
    return {{"error", boost::json::object{{"code", code}, {"message", message}, {"details", nullptr}}}};
}

long long ms_since(clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
}

enum class outcome { done, cancelled, failed, too_long };

// How a stored answer ended, as GET /chat/history reports it.
std::string turn_status(outcome o)
{
    switch (o) {
    case outcome::done:
        return "complete";
    case outcome::cancelled:
        return "cancelled";
    default:
        return "failed";
    }
}

// The client's name for its conversation (context.session_id).
std::string conversation_key(const chat_request& r)
{
    return r.conversation.empty() ? "default" : r.conversation;
}

long long now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

boost::json::value sources_json(const std::vector<chat::hit>& hits)
{
    boost::json::array out;
    for (const auto& h : hits)
        out.push_back(boost::json::object{{"id", h.doc->id},
                                          {"title", h.doc->title},
                                          {"url", h.doc->url},
                                          {"excerpt", chat::excerpt(h.doc->plain, 200)},
                                          {"score", std::round(h.score * 1000) / 1000}});
    return out;
}

struct chat_service::production {
    // The corpus the hits point into: held for the answer's whole life, so a
    // reload (SIGHUP) in between cannot free the sections it cites.
    std::shared_ptr<const chat::retriever> index;
    std::shared_ptr<chat::answer_stream> stream;
    chat::grounding grounding;
    chat_request request;
    chat_caller caller;
    long long retrieval_ms = 0;
    std::string_view retrieval = "lexical"; // or "hybrid": words and meaning
    clock::time_point started = clock::now();
    long long seq = 0;
    // How generation ended, for finish().
    outcome result = outcome::done;
    long long tokens = 0;
    long long generation_ms = 0;
};

chat_service::chat_service(store::db_executor& db, stream_journal& journal,
                           std::shared_ptr<const chat::retriever> corpus, chat::generator& generator,
                           chat_settings settings, section_vectors* meaning)
    : db_(db), journal_(journal), corpus_(std::move(corpus)), generator_(generator), settings_(settings),
      meaning_(meaning)
{
}

asio::awaitable<bool> chat_service::admits(chat::answer_stream& s, const chat_caller& caller)
{
    if (s.owner().admits(caller.user_id, caller.session_id))
        co_return true;
    auto id = s.message_id();
    auto row = co_await db_.read([&](soci::session& sql) { return store::chat_repo::find_stream(sql, id); });
    if (!row || !chat::stream_owner{row->user_id, row->session_id}.admits(caller.user_id, caller.session_id))
        co_return false;
    s.transfer_session(s.owner().session_id, row->session_id);
    co_return true;
}

void chat_service::session_rotated(const std::string& from, const std::string& to)
{
    for (auto& s : registry_.snapshot())
        s->transfer_session(from, to);
}

void chat_service::session_ended(const std::string& session_id)
{
    for (auto& s : registry_.snapshot())
        if (!s->finished() && s->owner().session_id == session_id)
            s->cancel(true);
}

void chat_service::replace_corpus(std::shared_ptr<const chat::retriever> corpus)
{
    std::lock_guard lock(corpus_mutex_);
    corpus_ = std::move(corpus);
}

std::shared_ptr<const chat::retriever> chat_service::corpus()
{
    std::lock_guard lock(corpus_mutex_);
    return corpus_;
}

asio::awaitable<std::shared_ptr<chat::answer_stream>> chat_service::start(const chat_request& req,
                                                                          const chat_caller& caller, bool streamed)
{
    auto p = std::make_shared<production>();
    p->request = req;
    p->caller = caller;
    p->index = corpus();
    auto conversation = co_await conversation_of(req, caller);
    auto retrieval_started = clock::now();
    auto sources = co_await sources_for(*p, conversation.questions);
    p->grounding = {req.message,        req.mode, req.selected_text,
                    std::move(sources), streamed, std::move(conversation.turns),
                    req.request_id};
    p->retrieval_ms = ms_since(retrieval_started);

    auto message_id = security::new_uuid();
    auto executor = co_await asio::this_coro::executor;
    p->stream = std::make_shared<chat::answer_stream>(message_id, chat::stream_owner{caller.user_id, caller.session_id},
                                                      executor);
    journal_.created({message_id, caller.user_id, caller.session_id, conversation_key(req), req.message,
                      util::now_seconds(), settings_.instance_id});
    journal_.producing(message_id, true);
    // Known before generation starts, so it leaves with the response head.
    emit(*p, "sources", boost::json::object{{"sources", sources_json(p->grounding.sources)}}, false);
    registry_.add(p->stream);
    registry_.prune(std::chrono::minutes(5));
    // The answer belongs to nobody's request: it runs until done or cancelled.
    asio::co_spawn(executor, produce(p), asio::bind_cancellation_slot(p->stream->cancel_slot(), asio::detached));
    co_return p->stream;
}

asio::awaitable<std::vector<chat::hit>> chat_service::sources_for(production& p, const std::string& earlier)
{
    const auto& req = p.request;
    auto selection = req.mode == "chat" ? std::string_view(req.selected_text) : std::string_view();
    if (auto vectors = meaning_ ? meaning_->vectors_for(*p.index) : nullptr) {
        // A follow-up's meaning is the earlier question's with this one.
        auto context = chat::follow_up_context(req.message, earlier);
        auto asked = context.empty() ? req.message : std::string(context) + "\n" + req.message;
        if (auto question = co_await meaning_->embed_question(asked, vectors->dimensions())) {
            p.retrieval = "hybrid";
            co_return chat::find_sources(*p.index, req.message, selection, max_sources, earlier,
                                         chat::meaning{*vectors, *question, meaning_->min_similarity()});
        }
    }
    co_return chat::find_sources(*p.index, req.message, selection, max_sources, earlier);
}

asio::awaitable<chat_service::conversation_context> chat_service::conversation_of(const chat_request& req,
                                                                                  const chat_caller& caller)
{
    conversation_context out;
    if (caller.session_id.empty())
        co_return out; // nothing is stored without a token
    bool refers = chat::refers_back(req.message);
    if (!refers && !generator_.reads_conversation())
        co_return out;
    store::history_repo::conversation_history history;
    try {
        history = co_await db_.read([&](soci::session& s) {
            return store::history_repo::current_conversation(s, caller.user_id, caller.session_id, 2 * context_turns,
                                                             util::now_seconds(),
                                                             store::history_repo::unfinished_answer_stale_s);
        });
    } catch (const std::exception& e) {
        // The question can still be answered on its own.
        spdlog::warn("conversation context unavailable: {}", e.what());
        co_return out;
    }
    if (history.key != conversation_key(req))
        co_return out;
    const auto since = now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(context_age).count();
    std::erase_if(history.messages, [&](const auto& m) { return m.created_at_ms < since; });
    for (std::size_t i = 0; i + 1 < history.messages.size(); ++i) {
        const auto& q = history.messages[i];
        const auto& a = history.messages[i + 1];
        if (q.role == "user" && a.role == "assistant" && a.status == "complete")
            out.turns.push_back({q.content, a.content});
    }
    // The question before, whatever became of its answer (still being
    // written, failed); and the one before that when it was a follow-up too.
    if (refers) {
        int taken = 0;
        for (auto it = history.messages.rbegin(); it != history.messages.rend() && taken < 2; ++it) {
            if (it->role != "user" || it->content.empty())
                continue;
            out.questions += (taken++ ? " " : "") + it->content;
            if (!chat::refers_back(it->content))
                break;
        }
    }
    co_return out;
}

void chat_service::emit(production& p, std::string_view event, const boost::json::value& data, bool final)
{
    auto fields = http::sse_fields(event, boost::json::serialize(data));
    p.stream->append(fields, final);
    journal_frame(p, fields);
}

void chat_service::emit_token(production& p, std::string_view text)
{
    p.stream->append_token(text);
    journal_frame(p, chat::token_fields(text));
}

void chat_service::journal_frame(production& p, std::string_view fields)
{
    const auto& id = p.stream->message_id();
    journal_.frame(id, p.seq, "id: " + id + ":" + std::to_string(p.seq) + "\n" + std::string(fields));
    ++p.seq;
}

asio::awaitable<void> chat_service::produce(std::shared_ptr<production> p)
{
    const auto& id = p->stream->message_id();
    std::size_t answer_bytes = 0;
    long long tokens = 0;
    auto generation_started = clock::now();
    auto result = outcome::done;
    try {
        chat::token_sink sink = [&](std::string token) -> asio::awaitable<void> {
            if (p->stream->abandoned(settings_.abandon_after))
                throw stop_generation{};
            if (answer_bytes + token.size() > settings_.max_answer_bytes)
                throw answer_too_long{};
            answer_bytes += token.size();
            ++tokens;
            emit_token(*p, token);
            co_return;
        };
        co_await generator_.generate(p->grounding, sink);
    } catch (const stop_generation&) {
        result = outcome::cancelled;
    } catch (const answer_too_long&) {
        result = outcome::too_long;
    } catch (const boost::system::system_error& e) {
        result = e.code() == asio::error::operation_aborted ? outcome::cancelled : outcome::failed;
        if (result == outcome::failed)
            spdlog::warn("answer {} failed: {}", id, e.what());
    } catch (const std::exception& e) {
        result = outcome::failed;
        spdlog::warn("answer {} failed: {}", id, e.what());
    }

    p->result = result;
    p->tokens = tokens;
    p->generation_ms = ms_since(generation_started);
    finish(*p, co_await asio::this_coro::executor);
}

// Not part of produce(): a coroutine's frame holds every local it ever has,
// and the ending's locals would sit in each open answer's frame.
void chat_service::finish(production& p, const asio::any_io_executor& executor)
{
    const auto& id = p.stream->message_id();
    auto result = p.result;
    auto kept = cited_sources_first(p.stream->text(), sources_json(p.grounding.sources).as_array());
    if (result == outcome::cancelled && p.stream->session_ended()) {
        emit(p, "error", error_event("SESSION_ENDED", "The session ended; sign in again."), true);
    } else if (result == outcome::failed) {
        emit(p, "error", error_event("GENERATION_FAILED", "The answer could not be completed."), true);
    } else if (result == outcome::too_long) {
        emit(p, "error", error_event("ANSWER_TOO_LONG", "The answer grew past the length this server allows."), true);
    } else {
        boost::json::object metadata{{"model", generator_.model()},
                                     {"tokens_used", p.tokens},
                                     {"retrieval", p.retrieval},
                                     {"retrieval_time_ms", p.retrieval_ms},
                                     {"generation_time_ms", p.generation_ms},
                                     {"total_time_ms", ms_since(p.started)},
                                     {"cited", boost::json::value_from(kept.cited)}};
        boost::json::object done{{"message_id", id}, {"metadata", metadata}};
        if (result == outcome::cancelled)
            done["cancelled"] = true;
        emit(p, "done", done, true);
    }
    journal_.finished(id, {conversation_key(p.request), p.caller.session_id, p.caller.user_id,
                           store::chat_repo::turn{p.request.message, std::move(kept.text),
                                                  boost::json::serialize(kept.sources), turn_status(result)},
                           util::now_seconds(), now_ms()});
    journal_.producing(id, false);
    // Resumes of a finished answer soon come from the database; its frames
    // leave memory then rather than whenever the next answer prunes. Until
    // then only the frames stay: this coroutine and the production end now
    // (a finished answer held this way for 30 s weighs as much as a live one).
    auto keep = std::make_shared<asio::steady_timer>(executor, settings_.keep_finished);
    keep->async_wait([this, keep, id = std::string(id)](const boost::system::error_code&) { registry_.remove(id); });
}

asio::awaitable<std::shared_ptr<http::event_source>> chat_service::stream(const chat_request& req,
                                                                          const chat_caller& caller)
{
    auto s = co_await start(req, caller, true);
    co_return live_listener(s, -1, settings_.timing);
}

asio::awaitable<result<full_answer>> chat_service::answer(const chat_request& req, const chat_caller& caller,
                                                          std::chrono::milliseconds limit)
{
    auto started = clock::now();
    auto s = co_await start(req, caller, false);
    auto listener = live_listener(s, -1, {limit, limit, settings_.timing.poll});
    full_answer out{s->message_id(), {}, boost::json::array{}, nullptr};
    while (auto chunk = co_await listener->next()) {
        if (clock::now() - started > limit) {
            s->cancel();
            co_return errc::timed_out;
        }
        // A chunk holds whole frames, each ending in a blank line (data
        // lines are single-line JSON).
        for (std::size_t at = 0, end; (end = chunk->find("\n\n", at)) != std::string::npos; at = end + 2) {
            std::string_view frame(chunk->data() + at, end - at);
            auto event_at = frame.find("\nevent: ");
            auto data_at = frame.find("\ndata: ");
            if (event_at == std::string_view::npos || data_at == std::string_view::npos) {
                // A ping: the answer is taking too long.
                s->cancel();
                co_return errc::timed_out;
            }
            auto event = frame.substr(event_at + 8, data_at - event_at - 8);
            auto data = boost::json::parse(frame.substr(data_at + 7));
            if (event == "sources")
                out.sources = data.at("sources");
            else if (event == "token")
                out.answer += data.at("content").as_string();
            else if (event == "done")
                out.metadata = data.at("metadata");
            else if (event == "error") {
                s->cancel();
                co_return data.at("error").at("code") == "STREAM_IDLE_TIMEOUT" ? errc::timed_out
                                                                               : errc::generation_failed;
            }
        }
    }
    // Whole, the answer can list the sources it cites first, as history does.
    auto kept = cited_sources_first(out.answer, out.sources.as_array());
    out.answer = std::move(kept.text);
    out.sources = std::move(kept.sources);
    if (auto* metadata = out.metadata.if_object()) {
        boost::json::array cited;
        for (std::size_t n = 1; n <= kept.cited.size(); ++n)
            cited.push_back(n);
        (*metadata)["cited"] = std::move(cited);
    }
    co_return out;
}

asio::awaitable<chat_service::resumption> chat_service::resume(const std::string& message_id, long long after_seq,
                                                               const chat_caller& caller)
{
    if (auto local = registry_.find(message_id)) {
        if (!co_await admits(*local, caller))
            co_return resumption{};
        bool finished = false;
        std::size_t count = 0;
        auto next = static_cast<std::size_t>(after_seq + 1);
        if (!local->frames_from(next, finished, count) && finished)
            co_return resumption{nullptr, true};
        co_return resumption{live_listener(local, after_seq, settings_.timing)};
    }
    auto row = co_await recorded_stream(message_id, caller);
    if (!row)
        co_return resumption{};
    if (row->finished && !co_await db_.read([&](soci::session& s) {
            return store::chat_repo::has_events_after(s, message_id, after_seq);
        }))
        co_return resumption{nullptr, true};
    co_return resumption{replay_listener(db_, message_id, after_seq, settings_.timing)};
}

asio::awaitable<bool> chat_service::rate(const answer_rating& r, const chat_caller& caller)
{
    if (auto local = registry_.find(r.message_id)) {
        if (!co_await admits(*local, caller))
            co_return false;
    } else if (!co_await recorded_stream(r.message_id, caller)) {
        co_return false;
    }
    auto optional = [](const std::string& v) {
        return v.empty() ? std::nullopt : std::optional<std::string>(v);
    };
    store::feedback_repo::rating_row row{
        r.message_id, r.rating, r.reason, r.comment, optional(caller.user_id), optional(caller.session_id)};
    co_await db_.write([&](soci::session& s) { store::feedback_repo::upsert(s, row, util::now_seconds()); });
    (r.rating == "up" ? rated_up_ : rated_down_).fetch_add(1, std::memory_order_relaxed);
    co_return true;
}

asio::awaitable<std::optional<store::chat_repo::stream_row>>
chat_service::recorded_stream(const std::string& message_id, const chat_caller& caller)
{
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (auto waited = std::chrono::milliseconds(0);; waited += settings_.timing.poll) {
        auto row = co_await db_.read([&](soci::session& s) { return store::chat_repo::find_stream(s, message_id); });
        if (row)
            co_return chat::stream_owner{row->user_id, row->session_id}.admits(caller.user_id, caller.session_id)
                ? row
                : std::nullopt;
        if (waited >= settings_.timing.unknown_wait)
            co_return std::nullopt;
        pause.expires_after(settings_.timing.poll);
        co_await pause.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<bool> chat_service::cancel(const std::string& message_id, const chat_caller& caller)
{
    if (auto local = registry_.find(message_id)) {
        if (!co_await admits(*local, caller))
            co_return false;
        local->cancel();
        co_return true;
    }
    // Produced by another instance: it sees the request at its next flush.
    // The write checks the owner again, in its own transaction.
    if (!co_await recorded_stream(message_id, caller))
        co_return false;
    co_return co_await db_.write([&](soci::session& s) {
        auto row = store::chat_repo::find_stream(s, message_id);
        if (!row || !chat::stream_owner{row->user_id, row->session_id}.admits(caller.user_id, caller.session_id))
            return false;
        if (!row->finished)
            store::chat_repo::request_cancel(s, message_id);
        return true;
    });
}

} // namespace chatkit::services
