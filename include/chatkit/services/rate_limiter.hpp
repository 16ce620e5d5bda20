#pragma once

#include "chatkit/config/limit_spec.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

using config::limit_spec;
using config::window_limit;

struct limit_check {
    std::string bucket; // e.g. "chat:anon:<session>" or "chat:ip:<ip>"
    const limit_spec* spec;
    std::string description; // "anonymous tier", for the 429 message
};

struct limit_exceeded {
    long long retry_after; // seconds
    std::string limit;     // "10 requests per minute (anonymous tier)"
};

// Fixed-window counters in the database, so every instance enforces the
// same limits. Each check counts the attempt, allowed or not.
class rate_limiter {
public:
    explicit rate_limiter(store::db_executor& db) : db_(db) {}

    boost::asio::awaitable<std::optional<limit_exceeded>> hit(const std::vector<limit_check>& checks);

private:
    store::db_executor& db_;
};

} // namespace chatkit::services
