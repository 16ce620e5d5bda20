#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class analytics_service;
}

namespace chatkit::handlers {

// POST /api/v1/analytics/event (API.md "Analytics").
void mount_analytics(http::router& r, services::analytics_service& analytics, std::size_t max_json_depth);

} // namespace chatkit::handlers
