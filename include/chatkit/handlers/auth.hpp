#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class identity_service;
class rate_limiter;
} // namespace chatkit::services

namespace chatkit::config {
struct config;
}

namespace chatkit::handlers {

// API.md "Auth": /api/v1/auth/*.
void mount_auth(http::router& r, services::identity_service& identity, services::rate_limiter& limiter,
                const config::config& cfg);

} // namespace chatkit::handlers
