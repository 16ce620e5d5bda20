#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::obs {
class metrics_registry;
}

namespace chatkit::store {
class health_probe;
}

namespace chatkit::handlers {

// GET /health and GET /metrics. `db` may be null while no store is wired.
void mount_ops(http::router& r, obs::metrics_registry& metrics, store::health_probe* db);

} // namespace chatkit::handlers
