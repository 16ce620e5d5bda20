#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/router.hpp"

namespace chatkit::handlers {

// GET /api/v1/widget/settings: what the widget learns from the server
// rather than from its host page (SUPPORT_URL), so one setting serves every
// page that embeds it.
void mount_widget_settings(http::router& r, const config::config& cfg);

} // namespace chatkit::handlers
