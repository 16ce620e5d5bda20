#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace chatkit::test {

// A loopback TCP forwarder that a test can cut, blackhole and restore: the
// database "goes away" (cut: every connection reset, new ones refused) or
// stops answering without a word (blackhole: connections stay open, nothing
// is forwarded either way), without touching the real server the other
// suites share.
class tcp_proxy {
public:
    explicit tcp_proxy(std::uint16_t upstream_port);
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    void cut();
    void blackhole();
    void restore();

private:
    void accept_loop();
    void pump(int client, int upstream);

    std::uint16_t upstream_port_;
    std::uint16_t port_ = 0;
    int listener_ = -1;
    std::atomic<bool> open_{true};
    std::atomic<bool> silent_{false};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<int> sockets_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

} // namespace chatkit::test
