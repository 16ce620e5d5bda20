#include "chatkit/handlers/chat_requests.hpp"

#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/util/text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace chatkit::handlers {

namespace {

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

// A saved message's sources, as the widget got them with the answer: at
// most 5, each with a title and optionally an id, url and excerpt, stored
// with only those fields. Empty when absent.
std::variant<std::string, http::reply> parse_saved_sources(const boost::json::value* v, const std::string& field,
                                                           const http::request_context& ctx)
{
    if (!v || v->is_null())
        return std::string();
    if (!v->is_array() || v->as_array().size() > 5)
        return http::invalid_field(ctx, field, "sources must be an array of at most 5 sources.");
    boost::json::array out;
    for (const auto& item : v->as_array()) {
        if (!item.is_object())
            return http::invalid_field(ctx, field, "Each source must be an object.");
        boost::json::object kept;
        for (auto [name, limit] : {std::pair{"title", 200}, {"id", 200}, {"url", 2000}, {"excerpt", 500}}) {
            const auto* value = item.as_object().if_contains(name);
            if (!value || value->is_null())
                continue;
            if (!value->is_string() || code_points(value->as_string()) > static_cast<std::size_t>(limit) ||
                has_nul(value->as_string()))
                return http::invalid_field(ctx, field + "." + name,
                                           std::string(name) + " must be a string of at most " + std::to_string(limit) +
                                               " characters.");
            kept[name] = value->as_string();
        }
        if (!kept.contains("title"))
            return http::invalid_field(ctx, field + ".title", "Each source needs a title.");
        out.push_back(std::move(kept));
    }
    return boost::json::serialize(out);
}

} // namespace

std::variant<services::chat_request, http::reply>
parse_chat_request(const http::request& r, const http::request_context& ctx, std::size_t max_json_depth)
{
    services::chat_request out;
    auto body = http::parse_json_object(r, ctx, max_json_depth);
    if (auto* error = std::get_if<http::reply>(&body))
        return std::move(*error);
    http::json_fields fields(std::get<boost::json::object>(body), ctx);
    auto message = fields.string("message");
    auto context = fields.object("context", false);
    if (fields.error())
        return *fields.error();
    out.message = trim(*message);
    if (out.message.empty())
        return http::invalid_field(ctx, "message", "The message is empty.");
    if (has_nul(out.message))
        return http::invalid_field(ctx, "message", "The message contains a NUL character.");
    if (code_points(out.message) > max_message)
        return http::error_reply(ctx, 400, "MESSAGE_TOO_LONG", "The message is longer than 2000 characters.",
                                 boost::json::object{{"field", "message"}, {"max_length", max_message}});
    http::json_fields c(*context, ctx, "context.");
    auto mode = c.string("mode", false);
    auto selected = c.string("selected_text", false);
    auto session = c.string("session_id", false);
    static_cast<void>(c.string("page_url", false));
    if (c.error())
        return *c.error();
    out.mode = mode.value_or("browse");
    if (out.mode != "browse" && out.mode != "chat")
        return http::invalid_field(ctx, "context.mode", "context.mode must be browse or chat.");
    out.selected_text = selected.value_or("");
    if (has_nul(out.selected_text))
        return http::invalid_field(ctx, "context.selected_text", "The selected text contains a NUL character.");
    if (code_points(out.selected_text) > max_selected)
        return http::error_reply(ctx, 400, "SELECTED_TEXT_TOO_LONG",
                                 "The selected text is longer than 5000 characters.",
                                 boost::json::object{{"field", "context.selected_text"}, {"max_length", max_selected}});
    if (session && !is_uuid(*session))
        return http::error_reply(ctx, 400, "INVALID_SESSION_ID", "context.session_id must be a UUID.",
                                 boost::json::object{{"field", "context.session_id"}});
    out.conversation = session.value_or("");
    return out;
}

std::variant<services::chat_service::answer_rating, http::reply>
parse_feedback(const http::request& r, const http::request_context& ctx, std::size_t max_json_depth)
{
    auto body = http::parse_json_object(r, ctx, max_json_depth);
    if (auto* error = std::get_if<http::reply>(&body))
        return std::move(*error);
    http::json_fields fields(std::get<boost::json::object>(body), ctx);
    services::chat_service::answer_rating out;
    out.message_id = fields.string("message_id").value_or("");
    out.rating = fields.string("rating").value_or("");
    out.reason = fields.string("reason", false);
    out.comment = fields.string("comment", false);
    if (fields.error())
        return *fields.error();
    if (!is_uuid(out.message_id))
        return http::invalid_field(ctx, "message_id", "message_id must be the answer's id.");
    if (out.rating != "up" && out.rating != "down")
        return http::invalid_field(ctx, "rating", "rating must be up or down.");
    constexpr std::array<std::string_view, 4> reasons{"incorrect", "incomplete", "not_what_i_asked", "other"};
    if (out.reason && std::find(reasons.begin(), reasons.end(), *out.reason) == reasons.end())
        return http::invalid_field(ctx, "reason", "reason must be incorrect, incomplete, not_what_i_asked or other.");
    constexpr std::size_t max_comment = 500;
    if (out.comment && (code_points(*out.comment) > max_comment || has_nul(*out.comment)))
        return http::invalid_field(ctx, "comment", "comment must be at most 500 characters, without NUL.");
    return out;
}

std::variant<services::saved_chat_input, http::reply>
parse_saved_chat(const http::request& r, const http::request_context& ctx, std::size_t max_json_depth)
{
    auto body = http::parse_json_object(r, ctx, max_json_depth);
    if (auto* error = std::get_if<http::reply>(&body))
        return std::move(*error);
    auto& o = std::get<boost::json::object>(body);
    http::json_fields fields(o, ctx);
    auto title = fields.string("title", false);
    if (fields.error())
        return *fields.error();
    auto* messages = o.if_contains("messages");
    if (!messages || !messages->is_array())
        return http::invalid_field(ctx, "messages", "messages must be an array.");
    if (messages->as_array().size() > max_saved_messages)
        return http::invalid_field(ctx, "messages", "At most 200 messages can be saved.");
    services::saved_chat_input out;
    for (std::size_t i = 0; i < messages->as_array().size(); ++i) {
        const auto& m = messages->as_array()[i];
        auto field = "messages[" + std::to_string(i) + "]";
        if (!m.is_object())
            return http::invalid_field(ctx, field, "Each message must be an object.");
        const auto* role = m.as_object().if_contains("role");
        const auto* content = m.as_object().if_contains("content");
        if (!role || !role->is_string() || (role->as_string() != "user" && role->as_string() != "assistant"))
            return http::invalid_field(ctx, field + ".role", "role must be user or assistant.");
        if (!content || !content->is_string())
            return http::invalid_field(ctx, field + ".content", "content must be a string.");
        if (code_points(content->as_string()) > max_saved_content)
            return http::invalid_field(ctx, field + ".content", "content is longer than 20000 characters.");
        if (has_nul(content->as_string()))
            return http::invalid_field(ctx, field + ".content", "content contains a NUL character.");
        auto sources = parse_saved_sources(m.as_object().if_contains("sources"), field + ".sources", ctx);
        if (auto* refused = std::get_if<http::reply>(&sources))
            return std::move(*refused);
        out.messages.push_back({std::string(role->as_string()), std::string(content->as_string()),
                                std::move(std::get<std::string>(sources))});
    }
    out.title = trim(title.value_or(""));
    if (has_nul(out.title))
        return http::invalid_field(ctx, "title", "title contains a NUL character.");
    if (out.title.empty() && !out.messages.empty())
        out.title = chat::excerpt(out.messages.front().content, 80);
    if (out.title.empty())
        out.title = "Saved chat";
    if (code_points(out.title) > max_title)
        return http::invalid_field(ctx, "title", "title is longer than 200 characters.");
    return out;
}

std::optional<long long> parse_last_event_id(std::string_view header, std::string_view message_id)
{
    auto colon = header.rfind(':');
    if (colon == std::string_view::npos || header.substr(0, colon) != message_id)
        return std::nullopt;
    auto digits = header.substr(colon + 1);
    long long n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || n < -1 || n > max_event_seq)
        return std::nullopt;
    return n;
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

} // namespace chatkit::handlers
