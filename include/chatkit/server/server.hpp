#pragma once

#include "chatkit/config/config.hpp"

#include <cstdint>
#include <functional>
#include <memory>

namespace chatkit::http {
class chain;
class router;
} // namespace chatkit::http

namespace chatkit::server {

// The HTTP/1.1 server: one io_context per I/O thread; each connection is
// placed on one of them and lives there for its whole life, so sessions need
// no locks. SIGINT/SIGTERM start a graceful drain.
class server {
public:
    server(const config::config& cfg, const http::chain& chain, const http::router& router);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds the listening socket; throws std::system_error when the address is taken.
    // Returns the bound port (useful with PORT=0).
    std::uint16_t listen();

    // Serves until a signal (or stop()) has drained every session, then
    // returns. Without `handle_signals` only stop() ends it (a second
    // listener that stops with the main one).
    void run(bool handle_signals = true);

    // Starts the graceful drain, as SIGTERM does. Thread-safe.
    void stop();
    // Called once when the drain starts (before run()): /readyz turns 503.
    void on_drain(std::function<void()> f);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace chatkit::server
