#include "chatkit/handlers/chat.hpp"

#include "chatkit/handlers/chat_requests.hpp"
#include "chatkit/services/local_limiter.hpp"
#include "chatkit/util/address_set.hpp"

#include "chatkit/config/config.hpp"
#include "chatkit/http/auth_reply.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/util/time.hpp"

#include <boost/json/parse.hpp>

namespace chatkit::handlers {

namespace {

using boost::asio::awaitable;

services::chat_caller caller_of(const http::request_context& ctx)
{
    if (!ctx.caller)
        return {};
    return {ctx.caller->user_id, ctx.caller->session_id};
}

http::reply stream_reply(std::shared_ptr<http::event_source> source)
{
    http::reply r;
    r.headers.add("Content-Type", "text/event-stream");
    r.headers.add("Cache-Control", "no-cache");
    r.headers.add("X-Accel-Buffering", "no");
    r.stream = std::move(source);
    return r;
}

struct chat_routes {
    services::chat_service& chat;
    services::saved_chats& saved;
    services::local_limiter& limiter;
    const config::config& cfg;

    // Who a per-client limit counts: the token's user or session, else the address.
    [[nodiscard]] std::string client_of(const http::request_context& ctx) const
    {
        if (ctx.caller)
            return ctx.caller->anonymous() ? "anon:" + ctx.caller->session_id : "user:" + ctx.caller->user_id;
        return "ip:" + util::limit_key(ctx.client_ip, cfg.ipv6_limit_prefix);
    }

    // Stored sources: written by this server, but a row that does not parse
    // shows no sources rather than failing the whole read.
    static boost::json::value sources_of(const std::string& stored)
    {
        boost::system::error_code ec;
        auto v = stored.empty() ? boost::json::value() : boost::json::parse(stored, ec);
        return !ec && v.is_array() ? v : boost::json::array();
    }

    // An invalid token on an optional-auth route is an error, not anonymity:
    // the widget must learn its session died.
    static std::optional<http::reply> reject_bad_token(const http::request_context& ctx)
    {
        if (ctx.auth == http::credentials::invalid || ctx.auth == http::credentials::malformed)
            return http::require_caller(ctx);
        return std::nullopt;
    }

    awaitable<http::reply> ask(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = reject_bad_token(ctx))
            co_return *denied;
        auto p = parse_chat_request(r, ctx, cfg.max_json_depth);
        if (auto* refused = std::get_if<http::reply>(&p))
            co_return std::move(*refused);
        auto& req = std::get<services::chat_request>(p);
        req.request_id = ctx.request_id;
        auto full = co_await chat.answer(req, caller_of(ctx), std::chrono::seconds(30));
        if (!full && full.error() == errc::generation_failed)
            co_return http::error_reply(ctx, 502, "GENERATION_FAILED",
                                        "The answer could not be produced; try again in a moment.");
        if (!full) {
            auto reply = http::error_reply(ctx, 503, "SERVICE_UNAVAILABLE", "The answer took too long; try again.",
                                           boost::json::object{{"retry_after", 5}});
            reply.headers.add("Retry-After", "5");
            co_return reply;
        }
        co_return http::json_reply(200, boost::json::object{{"message_id", full->message_id},
                                                            {"answer", full->answer},
                                                            {"sources", full->sources},
                                                            {"metadata", full->metadata}});
    }

    awaitable<http::reply> stream(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = reject_bad_token(ctx))
            co_return *denied;
        // An SSE client retrying a dropped POST sends the last id it saw:
        // that is a resume of the answer, never a second answer.
        if (auto last = r.headers.get("Last-Event-ID"))
            co_return co_await resume_from(std::string(last->substr(0, last->rfind(':'))), *last, ctx);
        auto p = parse_chat_request(r, ctx, cfg.max_json_depth);
        if (auto* refused = std::get_if<http::reply>(&p))
            co_return std::move(*refused);
        auto& req = std::get<services::chat_request>(p);
        req.request_id = ctx.request_id;
        co_return stream_reply(co_await chat.stream(req, caller_of(ctx)));
    }

    awaitable<http::reply> resume(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = reject_bad_token(ctx))
            co_return *denied;
        auto last = r.headers.get("Last-Event-ID");
        co_return co_await resume_from(std::string(ctx.param("message_id")), last.value_or(""), ctx);
    }

    // Frames of answer `id` after the one `last_event_id` names (all of them
    // when empty); 204 when the caller already has the last one.
    awaitable<http::reply> resume_from(const std::string& id, std::string_view last_event_id,
                                       http::request_context& ctx) const
    {
        // A resume replays a whole answer: resumes in a loop must not turn
        // one answer into an unbounded download.
        if (auto no = limiter.admit("resume:" + client_of(ctx), 1, cfg.rates.resume, "resumes"))
            co_return http::too_many_requests(ctx, no->retry_after, no->limit);
        long long after = -1;
        if (!last_event_id.empty()) {
            auto n = parse_last_event_id(last_event_id, id);
            if (!n)
                co_return http::invalid_field(ctx, "Last-Event-ID", "Last-Event-ID must be <message_id>:<n>.");
            after = *n;
        }
        services::chat_service::resumption found;
        if (is_uuid(id))
            found = co_await chat.resume(id, after, caller_of(ctx));
        if (found.nothing_left)
            co_return http::no_content();
        if (!found.source)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such answer.");
        co_return stream_reply(std::move(found.source));
    }

    awaitable<http::reply> cancel(http::request&, http::request_context& ctx) const
    {
        if (auto denied = reject_bad_token(ctx))
            co_return *denied;
        auto id = std::string(ctx.param("message_id"));
        if (!is_uuid(id) || !co_await chat.cancel(id, caller_of(ctx)))
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such answer.");
        co_return http::no_content();
    }

    // A reader's rating of an answer: whoever may resume it may rate it.
    awaitable<http::reply> feedback(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = reject_bad_token(ctx))
            co_return *denied;
        auto parsed = parse_feedback(r, ctx, cfg.max_json_depth);
        if (auto* refused = std::get_if<http::reply>(&parsed))
            co_return std::move(*refused);
        auto& rating = std::get<services::chat_service::answer_rating>(parsed);
        if (auto no = limiter.admit("analytics:" + client_of(ctx), 1, cfg.rates.analytics, "events"))
            co_return http::too_many_requests(ctx, no->retry_after, no->limit);
        if (!co_await chat.rate(rating, caller_of(ctx)))
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such answer.");
        co_return http::no_content();
    }

    awaitable<http::reply> save(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto p = parse_saved_chat(r, ctx, cfg.max_json_depth);
        if (auto* refused = std::get_if<http::reply>(&p))
            co_return std::move(*refused);
        long long bytes = 0;
        for (const auto& m : std::get<services::saved_chat_input>(p).messages)
            bytes += static_cast<long long>(m.content.size());
        if (auto no = limiter.admit("saved_bytes:" + client_of(ctx), bytes, cfg.rates.saved_chat_bytes, "bytes saved"))
            co_return http::too_many_requests(ctx, no->retry_after, no->limit);
        auto row = co_await saved.save(ctx.caller->user_id, std::move(std::get<services::saved_chat_input>(p)));
        co_return http::json_reply(200,
                                   boost::json::object{{"chat_id", row.id}, {"saved_at", util::rfc3339(row.saved_at)}});
    }

    awaitable<http::reply> list(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto chats = co_await saved.list(ctx.caller->user_id);
        boost::json::array out;
        for (const auto& c : chats)
            out.push_back(boost::json::object{{"chat_id", c.id},
                                              {"title", c.title},
                                              {"saved_at", util::rfc3339(c.saved_at)},
                                              {"message_count", c.message_count}});
        co_return http::json_reply(200, boost::json::object{{"chats", out}});
    }

    awaitable<http::reply> history(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        auto found = co_await saved.current(ctx.caller->user_id, ctx.caller->session_id);
        boost::json::array messages;
        for (const auto& m : found.messages) {
            // An answer's id is the one POST /chat gave it (and resume takes).
            auto id = m.role == "assistant" && m.id.ends_with("-a") ? m.id.substr(0, m.id.size() - 2) : m.id;
            messages.push_back(boost::json::object{{"message_id", id},
                                                   {"role", m.role},
                                                   {"content", m.content},
                                                   {"sources", sources_of(m.sources_json)},
                                                   {"created_at", util::rfc3339(m.created_at_ms / 1000)},
                                                   {"status", m.status}});
        }
        boost::json::value key = nullptr;
        if (!found.key.empty())
            key = found.key;
        co_return http::json_reply(200, boost::json::object{{"conversation_id", key}, {"messages", messages}});
    }

    awaitable<http::reply> get(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto found = co_await saved.find(ctx.caller->user_id, std::string(ctx.param("chat_id")));
        if (!found)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such saved chat.");
        boost::json::array messages;
        for (const auto& m : found->messages)
            messages.push_back(
                boost::json::object{{"role", m.role}, {"content", m.content}, {"sources", sources_of(m.sources_json)}});
        co_return http::json_reply(200, boost::json::object{{"chat_id", found->id},
                                                            {"title", found->title},
                                                            {"saved_at", util::rfc3339(found->saved_at)},
                                                            {"message_count", found->message_count},
                                                            {"messages", messages}});
    }

    awaitable<http::reply> remove(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        bool deleted = co_await saved.remove(ctx.caller->user_id, std::string(ctx.param("chat_id")));
        if (!deleted)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such saved chat.");
        co_return http::no_content();
    }
};

} // namespace

void mount_chat(http::router& r, services::chat_service& chat, services::saved_chats& saved,
                services::local_limiter& limiter, const config::config& cfg)
{
    auto routes = std::make_shared<chat_routes>(chat_routes{chat, saved, limiter, cfg});
    auto bind = [routes](awaitable<http::reply> (chat_routes::*fn)(http::request&, http::request_context&) const) {
        return [routes, fn](http::request& req, http::request_context& ctx) {
            return ((*routes).*fn)(req, ctx);
        };
    };
    const http::route_options ask{.body_limit = 32 * 1024, .json_body = true, .rate = http::rate_action::chat};
    r.add("POST", "/api/v1/chat", bind(&chat_routes::ask), ask);
    auto ask_streamed = ask;
    ask_streamed.resumes_with_last_event_id = true;
    r.add("POST", "/api/v1/chat/stream", bind(&chat_routes::stream), ask_streamed);
    r.add("GET", "/api/v1/chat/stream/{message_id}", bind(&chat_routes::resume));
    r.add("POST", "/api/v1/chat/{message_id}/cancel", bind(&chat_routes::cancel), {.body_limit = 1024});
    r.add("POST", "/api/v1/chat/feedback", bind(&chat_routes::feedback), {.body_limit = 4 * 1024, .json_body = true});
    r.add("POST", "/api/v1/chat/save", bind(&chat_routes::save),
          {.body_limit = 4 * 1024 * 1024, .json_body = true, .rate = http::rate_action::save_chat});
    r.add("GET", "/api/v1/chat/history", bind(&chat_routes::history));
    r.add("GET", "/api/v1/chat/saved", bind(&chat_routes::list));
    r.add("GET", "/api/v1/chat/saved/{chat_id}", bind(&chat_routes::get));
    r.add("DELETE", "/api/v1/chat/saved/{chat_id}", bind(&chat_routes::remove));
}

} // namespace chatkit::handlers
