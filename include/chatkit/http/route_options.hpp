#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatkit::http {

// What a route counts as for the rate limits: an enum, so a route cannot
// name an action the rate_limit middleware has no limit for (it was a
// string, and an unknown one threw at request time).
enum class rate_action { none, chat, save_chat, personalize, verification_mail, anonymous_session };

struct route_options {
    std::size_t body_limit = 64 * 1024;
    // The route reads a JSON body: a body of another Content-Type gets 415.
    bool json_body = false;
    // The rate-limited action this route counts as; the rate_limit
    // middleware reads it.
    rate_action rate = rate_action::none;
    // A request carrying Last-Event-ID resumes an answer instead of asking
    // a new question (POST /chat/stream retried by an SSE client): it is not
    // counted as a new action.
    bool resumes_with_last_event_id = false;
    // The path itself is a secret (a shared conversation's /c/<id>): logs
    // show the route's pattern instead of it.
    bool secret_path = false;
    // The route's pattern, set by router::add: the metrics label of a
    // request a layer answered before the router saw it (a 429, say).
    std::string pattern = {};
};

} // namespace chatkit::http
