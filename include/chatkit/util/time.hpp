#pragma once

#include <string>

namespace chatkit::util {

// Unix seconds, the unit every stored time uses.
[[nodiscard]] long long now_seconds();

// RFC 3339 UTC, e.g. 2026-01-01T17:42:00Z.
[[nodiscard]] std::string rfc3339(long long unix_seconds);

} // namespace chatkit::util
