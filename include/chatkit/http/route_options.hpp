#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatkit::http {

struct route_options {
    std::size_t body_limit = 64 * 1024;
    // The route reads a JSON body: a body of another Content-Type gets 415.
    bool json_body = false;
    // The rate-limited action this route counts as ("chat", "save_chat",
    // ...); empty for none. The rate_limit middleware reads it.
    std::string_view rate_action = {};
    // The route's pattern, set by router::add: the metrics label of a
    // request a layer answered before the router saw it (a 429, say).
    std::string pattern = {};
};

} // namespace chatkit::http
