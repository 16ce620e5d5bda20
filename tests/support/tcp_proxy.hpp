#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace chatkit::test {

// A loopback TCP forwarder that a test can break and mend, so the database
// misbehaves without touching the real server the other suites share:
// - cut: every connection shut and reset, new ones shut at once;
// - blackhole: connections stay open, nothing is forwarded either way, as
//   when a network drops packets;
// - reset: every connection, open or new, aborted with a bare RST (no FIN),
//   as a peer that crashed or a middlebox that lost its state; a new one
//   completes its handshake first, so `connect` succeeds and the first
//   exchange fails;
// - slow: forwarded in chunks of at most `chunk_bytes`, each after `delay`,
//   as an overloaded link or server.
// restore() forwards normally again, open connections included.
class tcp_proxy {
public:
    explicit tcp_proxy(std::uint16_t upstream_port);
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    void cut();
    void blackhole();
    void reset();
    void slow(std::chrono::milliseconds delay, std::size_t chunk_bytes = 256);
    void restore();

private:
    enum class mode { forward, cut, blackhole, reset, slow };

    void accept_loop();
    void pump(int client, int upstream);
    // Sleeps for the slow mode's delay, waking early when the mode changes.
    void throttle();

    std::uint16_t upstream_port_;
    std::uint16_t port_ = 0;
    int listener_ = -1;
    std::atomic<mode> mode_{mode::forward};
    std::atomic<long long> delay_ms_{0};
    std::atomic<std::size_t> chunk_bytes_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<int> sockets_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

} // namespace chatkit::test
