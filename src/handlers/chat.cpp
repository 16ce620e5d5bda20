#include "chatkit/handlers/chat.hpp"

#include "chatkit/config/config.hpp"
#include "chatkit/http/auth_reply.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/text.hpp"
#include "chatkit/util/time.hpp"

#include <charconv>

namespace chatkit::handlers {

namespace {

using boost::asio::awaitable;

constexpr std::size_t max_message = 2000;
constexpr std::size_t max_selected = 5000;
constexpr std::size_t max_saved_messages = 200;
constexpr std::size_t max_saved_content = 20000;
constexpr std::size_t max_title = 200;
// No answer has this many events; a larger Last-Event-ID is not one of ours
// (and `n + 1` must not overflow).
constexpr long long max_event_seq = 1'000'000'000;

std::size_t code_points(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

std::string trim(std::string_view s)
{
    return std::string(util::trim_space(s));
}

// PostgreSQL text cannot hold U+0000 (it would store the text cut there), and
// no reader types one.
bool has_nul(std::string_view s)
{
    return s.find('\0') != std::string_view::npos;
}

bool is_uuid(std::string_view s)
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

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
    store::db_executor& db;
    const config::config& cfg;

    // The contract's validation; the reply is set when the body is refused.
    struct parsed_chat {
        services::chat_request req;
        std::optional<http::reply> error;
    };
    parsed_chat parse(http::request& r, const http::request_context& ctx) const
    {
        parsed_chat out;
        auto body = http::parse_json_object(r, ctx, cfg.max_json_depth);
        if (auto* error = std::get_if<http::reply>(&body)) {
            out.error = std::move(*error);
            return out;
        }
        http::json_fields fields(std::get<boost::json::object>(body), ctx);
        auto message = fields.string("message");
        auto context = fields.object("context", false);
        if (fields.error()) {
            out.error = *fields.error();
            return out;
        }
        out.req.message = trim(*message);
        if (out.req.message.empty()) {
            out.error = http::invalid_field(ctx, "message", "The message is empty.");
            return out;
        }
        if (has_nul(out.req.message)) {
            out.error = http::invalid_field(ctx, "message", "The message contains a NUL character.");
            return out;
        }
        if (code_points(out.req.message) > max_message) {
            out.error = http::error_reply(ctx, 400, "MESSAGE_TOO_LONG", "The message is longer than 2000 characters.",
                                          boost::json::object{{"field", "message"}, {"max_length", max_message}});
            return out;
        }
        http::json_fields c(*context, ctx, "context.");
        auto mode = c.string("mode", false);
        auto selected = c.string("selected_text", false);
        auto session = c.string("session_id", false);
        static_cast<void>(c.string("page_url", false));
        if (c.error()) {
            out.error = *c.error();
            return out;
        }
        out.req.mode = mode.value_or("browse");
        if (out.req.mode != "browse" && out.req.mode != "chat") {
            out.error = http::invalid_field(ctx, "context.mode", "context.mode must be browse or chat.");
            return out;
        }
        out.req.selected_text = selected.value_or("");
        if (has_nul(out.req.selected_text)) {
            out.error =
                http::invalid_field(ctx, "context.selected_text", "The selected text contains a NUL character.");
            return out;
        }
        if (code_points(out.req.selected_text) > max_selected) {
            out.error = http::error_reply(
                ctx, 400, "SELECTED_TEXT_TOO_LONG", "The selected text is longer than 5000 characters.",
                boost::json::object{{"field", "context.selected_text"}, {"max_length", max_selected}});
            return out;
        }
        if (session && !is_uuid(*session)) {
            out.error = http::error_reply(ctx, 400, "INVALID_SESSION_ID", "context.session_id must be a UUID.",
                                          boost::json::object{{"field", "context.session_id"}});
            return out;
        }
        out.req.conversation = session.value_or("");
        return out;
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
        auto p = parse(r, ctx);
        if (p.error)
            co_return *p.error;
        auto full = co_await chat.answer(p.req, caller_of(ctx), std::chrono::seconds(30));
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
        auto p = parse(r, ctx);
        if (p.error)
            co_return *p.error;
        co_return stream_reply(co_await chat.stream(p.req, caller_of(ctx)));
    }

    awaitable<http::reply> resume(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = reject_bad_token(ctx))
            co_return *denied;
        auto id = std::string(ctx.param("message_id"));
        long long after = -1;
        if (auto last = r.headers.get("Last-Event-ID")) {
            auto colon = last->rfind(':');
            auto digits = colon == std::string_view::npos ? std::string_view() : last->substr(colon + 1);
            auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), after);
            if (colon == std::string_view::npos || last->substr(0, colon) != id || ec != std::errc{} ||
                ptr != digits.data() + digits.size() || after < -1 || after > max_event_seq)
                co_return http::invalid_field(ctx, "Last-Event-ID", "Last-Event-ID must be <message_id>:<n>.");
        }
        std::shared_ptr<http::event_source> source;
        if (is_uuid(id))
            source = co_await chat.resume(id, after, caller_of(ctx));
        if (!source)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such answer.");
        co_return stream_reply(std::move(source));
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

    awaitable<http::reply> save(http::request& r, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto body = http::parse_json_object(r, ctx, cfg.max_json_depth);
        if (auto* error = std::get_if<http::reply>(&body))
            co_return std::move(*error);
        auto& o = std::get<boost::json::object>(body);
        http::json_fields fields(o, ctx);
        auto title = fields.string("title", false);
        if (fields.error())
            co_return *fields.error();
        auto* messages = o.if_contains("messages");
        if (!messages || !messages->is_array())
            co_return http::invalid_field(ctx, "messages", "messages must be an array.");
        if (messages->as_array().size() > max_saved_messages)
            co_return http::invalid_field(ctx, "messages", "At most 200 messages can be saved.");
        store::chat_repo::saved_chat chat_row;
        chat_row.id = security::new_uuid();
        chat_row.saved_at = util::now_seconds();
        for (std::size_t i = 0; i < messages->as_array().size(); ++i) {
            const auto& m = messages->as_array()[i];
            auto field = "messages[" + std::to_string(i) + "]";
            if (!m.is_object())
                co_return http::invalid_field(ctx, field, "Each message must be an object.");
            const auto* role = m.as_object().if_contains("role");
            const auto* content = m.as_object().if_contains("content");
            if (!role || !role->is_string() || (role->as_string() != "user" && role->as_string() != "assistant"))
                co_return http::invalid_field(ctx, field + ".role", "role must be user or assistant.");
            if (!content || !content->is_string())
                co_return http::invalid_field(ctx, field + ".content", "content must be a string.");
            if (code_points(content->as_string()) > max_saved_content)
                co_return http::invalid_field(ctx, field + ".content", "content is longer than 20000 characters.");
            if (has_nul(content->as_string()))
                co_return http::invalid_field(ctx, field + ".content", "content contains a NUL character.");
            chat_row.messages.push_back({std::string(role->as_string()), std::string(content->as_string())});
        }
        chat_row.title = trim(title.value_or(""));
        if (has_nul(chat_row.title))
            co_return http::invalid_field(ctx, "title", "title contains a NUL character.");
        if (chat_row.title.empty() && !chat_row.messages.empty())
            chat_row.title = chat::excerpt(chat_row.messages.front().content, 80);
        if (chat_row.title.empty())
            chat_row.title = "Saved chat";
        if (code_points(chat_row.title) > max_title)
            co_return http::invalid_field(ctx, "title", "title is longer than 200 characters.");
        auto user = ctx.caller->user_id;
        co_await db.write([&](soci::session& s) { store::chat_repo::save_chat(s, user, chat_row); });
        co_return http::json_reply(
            200, boost::json::object{{"chat_id", chat_row.id}, {"saved_at", util::rfc3339(chat_row.saved_at)}});
    }

    awaitable<http::reply> list(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto user = ctx.caller->user_id;
        auto chats = co_await db.read([&](soci::session& s) { return store::chat_repo::list_saved(s, user); });
        boost::json::array out;
        for (const auto& c : chats)
            out.push_back(boost::json::object{{"chat_id", c.id},
                                              {"title", c.title},
                                              {"saved_at", util::rfc3339(c.saved_at)},
                                              {"message_count", c.message_count}});
        co_return http::json_reply(200, boost::json::object{{"chats", out}});
    }

    awaitable<http::reply> get(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_user(ctx))
            co_return *denied;
        auto user = ctx.caller->user_id;
        auto id = std::string(ctx.param("chat_id"));
        auto found = co_await db.read([&](soci::session& s) { return store::chat_repo::find_saved(s, user, id); });
        if (!found)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such saved chat.");
        boost::json::array messages;
        for (const auto& m : found->messages)
            messages.push_back(boost::json::object{{"role", m.role}, {"content", m.content}});
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
        auto user = ctx.caller->user_id;
        auto id = std::string(ctx.param("chat_id"));
        bool deleted = co_await db.write([&](soci::session& s) { return store::chat_repo::delete_saved(s, user, id); });
        if (!deleted)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such saved chat.");
        co_return http::no_content();
    }
};

} // namespace

void mount_chat(http::router& r, services::chat_service& chat, store::db_executor& db, const config::config& cfg)
{
    auto routes = std::make_shared<chat_routes>(chat_routes{chat, db, cfg});
    auto bind = [routes](awaitable<http::reply> (chat_routes::*fn)(http::request&, http::request_context&) const) {
        return [routes, fn](http::request& req, http::request_context& ctx) {
            return ((*routes).*fn)(req, ctx);
        };
    };
    const http::route_options ask{.body_limit = 32 * 1024, .json_body = true, .rate_action = "chat"};
    r.add("POST", "/api/v1/chat", bind(&chat_routes::ask), ask);
    r.add("POST", "/api/v1/chat/stream", bind(&chat_routes::stream), ask);
    r.add("GET", "/api/v1/chat/stream/{message_id}", bind(&chat_routes::resume));
    r.add("POST", "/api/v1/chat/{message_id}/cancel", bind(&chat_routes::cancel), {.body_limit = 1024});
    r.add("POST", "/api/v1/chat/save", bind(&chat_routes::save),
          {.body_limit = 4 * 1024 * 1024, .json_body = true, .rate_action = "save_chat"});
    r.add("GET", "/api/v1/chat/saved", bind(&chat_routes::list));
    r.add("GET", "/api/v1/chat/saved/{chat_id}", bind(&chat_routes::get));
    r.add("DELETE", "/api/v1/chat/saved/{chat_id}", bind(&chat_routes::remove));
}

} // namespace chatkit::handlers
