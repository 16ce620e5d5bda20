#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/router.hpp"

namespace chatkit::test {

// /api/v1/test/*: routes that exist so tests can drive the chain through
// shapes no product route has yet (a paced SSE stream, a JSON echo, a
// handler that throws). They are compiled only into chatkit-test-server
// (tests/support/test_server_main.cpp), never into chatkit-server, and
// mounted there with TEST_ROUTES=true, which production refuses.
void mount_test_routes(http::router& r, const config::config& cfg);

} // namespace chatkit::test
