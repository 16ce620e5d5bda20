#pragma once

#include "chatkit/http/headers.hpp"
#include "chatkit/http/route_options.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatkit::http {

// A request as the chain sees it: already parsed, Beast-free, body complete.
struct request {
    std::string method;
    std::string target;
    std::string path;  // target without the query string
    std::string query; // without the '?'
    unsigned version = 11;
    header_list headers;
    std::string body;
};

// A limit the session saw broken while reading the request head or body. The
// session cannot answer by itself: the answer must pass through the chain so
// it carries a request id, CORS and security headers like every other reply.
struct rejection {
    unsigned status;
    std::string code;
    std::string message;
};

// The limits a caller gets. Stored as its name; an enum here, so a tier no
// limit is configured for cannot reach the rate limits.
enum class access_tier { anonymous, lightweight, full, premium };
[[nodiscard]] std::string_view tier_name(access_tier t);
// The tier of a stored name; nullopt for any other text.
[[nodiscard]] std::optional<access_tier> parse_tier(std::string_view name);

// Who the auth middleware says the caller is: the owner of a valid session
// token. Anonymous sessions have no user.
struct principal {
    std::string session_id;
    std::string user_id; // empty for an anonymous session
    std::string email;
    access_tier tier = access_tier::anonymous;
    long long expires_at = 0;

    [[nodiscard]] bool anonymous() const { return user_id.empty(); }
};

// What the Authorization header said.
enum class credentials { none, malformed, invalid, valid };

struct request_context {
    std::string request_id;
    boost::asio::ip::address peer;
    bool tls = false;
    // True when the request reached us over HTTPS: native TLS, or a trusted
    // proxy's X-Forwarded-Proto said so. Decided by the https_guard.
    bool secure = false;
    std::optional<rejection> rejected;
    std::string route = "unmatched";           // the matched pattern: a bounded metrics label
    const route_options* route_opts = nullptr; // set by the session from the head
    // The secret route the target lies under whatever the method or the
    // rest of the path (router::secret_route_for); set by the session.
    const route_options* secret_route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<principal> caller;
    credentials auth = credentials::none;
    // The client's address: the peer, or what a trusted proxy reported.
    std::string client_ip;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

    [[nodiscard]] std::string_view param(std::string_view name) const;
    // The route of metrics and the access log: the matched pattern, or for a
    // request a layer answered before the router saw it (a 429, a 401) the
    // route the session found for it.
    [[nodiscard]] std::string_view route_label() const
    {
        return route_opts && route == "unmatched" ? std::string_view(route_opts->pattern) : std::string_view(route);
    }
    // The path as logs may show it: under a route whose path is a secret,
    // matched or not (a 404, 405 or 400 on "/c/<id>/"), that route's pattern.
    [[nodiscard]] std::string_view loggable_path(const request& req) const
    {
        if (route_opts && route_opts->secret_path)
            return route_opts->pattern;
        return secret_route ? std::string_view(secret_route->pattern) : std::string_view(req.path);
    }
};

} // namespace chatkit::http
