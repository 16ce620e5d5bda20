#pragma once

#include "chatkit/config/limit_spec.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chatkit::services {

// Fixed-window counters kept in this instance's memory, for limits on paths
// too hot for a database round trip per request (analytics events, resumes):
// with N instances a client gets at most N times the limit, which still
// bounds what one client can make the deployment store. Keys that have not
// been seen for a whole window are forgotten, so memory follows the clients
// of the last window, not all clients ever.
class local_limiter {
public:
    struct refusal {
        long long retry_after; // seconds
        std::string limit;     // "60 events per minute"
    };
    // Counts `n` against every window of `spec` for `key`; refuses (counting
    // nothing) when one window would pass its maximum.
    std::optional<refusal> admit(const std::string& key, long long n, const config::limit_spec& spec,
                                 std::string_view what);

private:
    struct counter {
        std::vector<std::pair<long long, long long>> windows; // per window of the spec: start, count
        long long last_seen = 0;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, counter> counters_;
    long long last_sweep_ = 0;
};

} // namespace chatkit::services
