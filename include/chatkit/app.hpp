#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/middleware.hpp"
#include "chatkit/http/router.hpp"
#include "chatkit/obs/metrics.hpp"

#include <memory>

namespace chatkit {

// Everything a running server holds besides sockets: the routes, the
// middleware chain in its canonical order, the metrics they feed.
struct app {
    obs::metrics_registry metrics;
    http::router router;
    std::unique_ptr<http::chain> chain;
};

// Wires the application for a validated configuration. Throws when the chain
// cannot be built (a misconfigured middleware stops start-up).
[[nodiscard]] std::unique_ptr<app> make_app(const config::config& cfg);

} // namespace chatkit
