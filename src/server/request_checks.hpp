#pragma once

#include "chatkit/http/request.hpp"
#include "chatkit/util/address_set.hpp"

#include <optional>

namespace chatkit::server {

// Checks Beast 1.81 does not make: request-smuggling shapes (Content-Length
// with Transfer-Encoding; a Transfer-Encoding other than one chunked, last:
// 400, or with a coding we do not decode: 501), and HTTP/1.1 without
// exactly one Host. Also refuses targets that
// are not origin-form. `parsed_chunked`: the parser framed the body as
// chunked (what it did, not what the header says).
[[nodiscard]] std::optional<http::rejection> check_head(const http::request& req, bool parsed_chunked);

// True when a trusted proxy says the client used HTTPS. The last
// X-Forwarded-Proto value is the one our proxy appended; earlier ones came
// from the client and are ignored.
[[nodiscard]] bool forwarded_https(const http::request& req, const boost::asio::ip::address& peer,
                                   const util::address_set& trusted_proxies);

// The client's address for per-IP limits: the peer, or, when the peer is a
// trusted proxy, the right-most X-Forwarded-For entry that is not itself a
// trusted proxy (entries further left were written by the client).
// `peer_text` is peer.to_string(), computed once per connection (inet_ntop
// per request was a measurable share of a small request).
[[nodiscard]] std::string client_address(const http::request& req, const boost::asio::ip::address& peer,
                                         const std::string& peer_text, const util::address_set& trusted_proxies);

} // namespace chatkit::server
