#pragma once

#include <string>

namespace chatkit::http {
class router;
}
namespace chatkit::services {
class chat_service;
class insights;
} // namespace chatkit::services

namespace chatkit::handlers {

// The docs team's insights on the admin listener: GET /admin/insights (a
// page: no script, a strict CSP) and GET /admin/api/insights?from=&to= (the
// same as JSON; &format=csv&table=NAME one table as CSV). With
// `admin_token`, each wants "Authorization: Bearer <admin_token>".
void mount_insights(http::router& r, services::insights& insights, services::chat_service& chat,
                    std::string admin_token);

} // namespace chatkit::handlers
