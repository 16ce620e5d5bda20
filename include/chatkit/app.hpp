#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/middleware.hpp"
#include "chatkit/http/router.hpp"
#include "chatkit/obs/metrics.hpp"

#include <memory>

namespace chatkit {

// Everything a running server holds besides sockets: storage, services,
// routes, the middleware chain in its canonical order, the metrics they
// feed, and the background thread for mail delivery and analytics batches.
class app {
public:
    // Opens the database and applies migrations; throws when the database
    // cannot be opened or the chain cannot be built.
    explicit app(const config::config& cfg);
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    [[nodiscard]] const http::chain& chain() const;
    [[nodiscard]] const http::router& router() const;
    [[nodiscard]] obs::metrics_registry& metrics();

    // Starts and stops the background work (mail, analytics). stop() flushes
    // queued analytics and waits for the background thread; call it after
    // the server's I/O threads stopped (it closes idle upstream connections
    // that belong to their contexts).
    void start();
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace chatkit
