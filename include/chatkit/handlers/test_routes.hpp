#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/router.hpp"

namespace chatkit::handlers {

// /api/v1/test/*: routes that exist so tests can drive the chain through
// shapes no product route has yet (a paced SSE stream, a JSON echo, a
// handler that throws). Mounted only with TEST_ROUTES=true, which production
// refuses.
void mount_test_routes(http::router& r, const config::config& cfg);

} // namespace chatkit::handlers
