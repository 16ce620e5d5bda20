#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class analytics_service;
class local_limiter;
} // namespace chatkit::services
namespace chatkit::config {
struct config;
}

namespace chatkit::handlers {

// POST /api/v1/analytics/event (API.md "Analytics"): one event or a batch of
// up to 20, at most RATE_ANALYTICS per client.
void mount_analytics(http::router& r, services::analytics_service& analytics, services::local_limiter& limiter,
                     const config::config& cfg);

} // namespace chatkit::handlers
