#pragma once

#include "chatkit/http/router.hpp"

#include <atomic>

namespace chatkit::obs {
class metrics_registry;
}

namespace chatkit::store {
class health_probe;
}

namespace chatkit::handlers {

// GET /health, /livez and /readyz. `db` may be null while no store is
// wired; `draining` (may be null) turns /readyz to 503.
void mount_probes(http::router& r, store::health_probe* db, const std::atomic<bool>* draining = nullptr);
// GET /metrics.
void mount_metrics(http::router& r, obs::metrics_registry& metrics);

} // namespace chatkit::handlers
