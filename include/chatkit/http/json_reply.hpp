#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>
#include <variant>

namespace chatkit::http {

[[nodiscard]] reply json_reply(unsigned status, const boost::json::value& body);
// For a body serialized already.
[[nodiscard]] reply json_reply(unsigned status, std::string serialized);

// 204 No Content.
[[nodiscard]] reply no_content();

// The one builder of the contract's error shape: every layer uses it.
[[nodiscard]] reply error_reply(const request_context& ctx, unsigned status, std::string_view code,
                                std::string_view message, boost::json::value details = nullptr);

// 429 RATE_LIMIT_EXCEEDED with Retry-After, as API.md words it; `limit`
// names the limit ("10 requests per minute (anonymous tier)").
[[nodiscard]] reply too_many_requests(const request_context& ctx, long long retry_after, std::string_view limit);

// 400 INVALID_REQUEST naming the offending field.
[[nodiscard]] reply invalid_field(const request_context& ctx, std::string_view field, std::string_view message);

// Parses the body as a JSON object: depth-limited, strict UTF-8, no comments
// or trailing commas. On failure the variant holds the 400 to send.
[[nodiscard]] std::variant<boost::json::object, reply> parse_json_object(const request& req, const request_context& ctx,
                                                                         std::size_t max_depth);

} // namespace chatkit::http
