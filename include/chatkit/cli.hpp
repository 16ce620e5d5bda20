#pragma once

#include "chatkit/app.hpp"

namespace chatkit {

// chatkit-server's command line: serve (default), check-config, migrate,
// user set-tier, user revoke-sessions, version, help. `extra_routes` mounts
// routes only a test build has (TEST_ROUTES=true needs them).
int run_cli(int argc, char** argv, const route_hook& extra_routes);

} // namespace chatkit
