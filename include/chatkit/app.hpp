#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/middleware.hpp"
#include "chatkit/http/router.hpp"
#include "chatkit/obs/metrics.hpp"

#include <functional>
#include <memory>

namespace chatkit {

// Mounts routes beyond the product's (the test build's /api/v1/test/*).
using route_hook = std::function<void(http::router&, const config::config&)>;

// Everything a running server holds besides sockets: storage, services,
// routes, the middleware chain in its canonical order, the metrics they
// feed, and the background thread for mail delivery and analytics batches.
class app {
public:
    // Opens the database and applies migrations; throws when the database
    // cannot be opened or the chain cannot be built, and when TEST_ROUTES is
    // set but this binary has no `test_routes` to mount.
    explicit app(const config::config& cfg, const route_hook& test_routes = {});
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    [[nodiscard]] const http::chain& chain() const;
    [[nodiscard]] const http::router& router() const;
    // The admin listener's: /metrics, /livez, /readyz, /health.
    [[nodiscard]] const http::chain& admin_chain() const;
    [[nodiscard]] const http::router& admin_router() const;
    [[nodiscard]] obs::metrics_registry& metrics();

    // Starts and stops the background work (mail, analytics). stop() flushes
    // queued analytics and waits for the background thread; call it after
    // the server's I/O threads stopped (it closes idle upstream connections
    // that belong to their contexts). Then it closes the database.
    void start();
    void stop();
    // The server began to drain: /readyz answers 503 from now on.
    void draining();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace chatkit
