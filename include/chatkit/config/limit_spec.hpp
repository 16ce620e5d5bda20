#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::config {

// One window of a rate limit: `max` requests per `window`.
struct window_limit {
    long long max;
    std::chrono::seconds window;
    std::string unit; // second | minute | hour | day, for messages and bucket names
};
using limit_spec = std::vector<window_limit>;

// "10/minute,500/day" -> two windows; "unlimited" -> none. Returns an error
// sentence, or empty when valid.
[[nodiscard]] std::string parse_limit_spec(std::string_view text, limit_spec& out);

} // namespace chatkit::config
