#pragma once

#include <string>

namespace soci {
class session;
}

// Fixed-window counters shared by every instance on the database.
namespace chatkit::store::rate_limit_repo {

// Adds one hit to (bucket, window) and returns the window's count, in one
// atomic upsert.
long long hit(soci::session& s, const std::string& bucket, long long window_start);

} // namespace chatkit::store::rate_limit_repo
