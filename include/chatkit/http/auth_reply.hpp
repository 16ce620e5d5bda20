#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"

#include <optional>

namespace chatkit::http {

// The 401 for a request without a usable caller, or nullopt when there is
// one: UNAUTHORIZED (no or malformed header) or SESSION_EXPIRED (unknown,
// revoked or expired token), each with an RFC 6750 WWW-Authenticate.
[[nodiscard]] std::optional<reply> require_caller(const request_context& ctx);

// 401 SESSION_EXPIRED: the token stopped being valid (revoked meanwhile).
[[nodiscard]] reply session_expired(const request_context& ctx);

// Same, and the caller must be a signed-in user (not an anonymous session).
[[nodiscard]] std::optional<reply> require_user(const request_context& ctx);

} // namespace chatkit::http
