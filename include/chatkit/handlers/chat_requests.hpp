#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/services/saved_chats.hpp"

#include <optional>
#include <string_view>
#include <variant>

// The chat routes' request validation, as API.md words it, apart from the
// routes so that tests and fuzzers reach it without a server. A refusal is
// a reply in the contract's error shape.
namespace chatkit::handlers {

// POST /chat and POST /chat/stream: message 1-2000 characters after trimming
// white space and invisible characters (NUL refused), context.mode browse or
// chat, context.selected_text at most 5000 characters, context.session_id a
// UUID.
[[nodiscard]] std::variant<services::chat_request, http::reply>
parse_chat_request(const http::request& r, const http::request_context& ctx, std::size_t max_json_depth);

// POST /chat/save: at most 200 messages of role user or assistant, 20,000
// characters each; a title of at most 200 (the first message's start when
// there is none).
[[nodiscard]] std::variant<services::saved_chat_input, http::reply>
parse_saved_chat(const http::request& r, const http::request_context& ctx, std::size_t max_json_depth);

// POST /chat/feedback: message_id a UUID, rating up or down, reason (if
// any) incorrect, incomplete, not_what_i_asked or other, comment (if any) at
// most 500 characters.
[[nodiscard]] std::variant<services::chat_service::answer_rating, http::reply>
parse_feedback(const http::request& r, const http::request_context& ctx, std::size_t max_json_depth);

// `Last-Event-ID: <message_id>:<n>` naming this message: n, from -1 to one
// billion (no answer has more events, and n + 1 must not overflow); nullopt
// when the header is anything else.
[[nodiscard]] std::optional<long long> parse_last_event_id(std::string_view header, std::string_view message_id);

[[nodiscard]] bool is_uuid(std::string_view s);

} // namespace chatkit::handlers
