#include "tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace chatkit::test {

namespace {

int connect_loopback(std::uint16_t port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Linger 0 makes the close send RST instead of FIN.
void set_abortive(int fd)
{
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void shut(int fd)
{
    set_abortive(fd);
    ::shutdown(fd, SHUT_RDWR);
}

} // namespace

tcp_proxy::tcp_proxy(std::uint16_t upstream_port) : upstream_port_(upstream_port)
{
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 64) != 0)
        throw std::runtime_error("tcp_proxy: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_proxy::~tcp_proxy()
{
    stopping_ = true;
    cut();
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : threads_)
        t.join();
}

void tcp_proxy::cut()
{
    mode_ = mode::cut;
    std::lock_guard lock(mutex_);
    for (int fd : sockets_)
        shut(fd);
}

void tcp_proxy::blackhole()
{
    mode_ = mode::blackhole;
}

void tcp_proxy::reset()
{
    // Each pump sees it within one poll and aborts its pair: closing the
    // descriptors here would race with the thread that owns them.
    mode_ = mode::reset;
}

void tcp_proxy::slow(std::chrono::milliseconds delay, std::size_t chunk_bytes)
{
    delay_ms_ = delay.count();
    chunk_bytes_ = std::max<std::size_t>(1, chunk_bytes);
    mode_ = mode::slow;
}

void tcp_proxy::restore()
{
    mode_ = mode::forward;
}

void tcp_proxy::accept_loop()
{
    while (!stopping_) {
        int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0)
            return;
        int upstream = mode_ != mode::cut ? connect_loopback(upstream_port_) : -1;
        if (upstream < 0) {
            shut(client);
            ::close(client);
            continue;
        }
        std::lock_guard lock(mutex_);
        sockets_.push_back(client);
        sockets_.push_back(upstream);
        threads_.emplace_back([this, client, upstream] { pump(client, upstream); });
    }
}

void tcp_proxy::throttle()
{
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms_.load());
    while (mode_ == mode::slow && !stopping_ && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void tcp_proxy::pump(int client, int upstream)
{
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    char buffer[16384];
    bool abort = false;
    while (!stopping_) {
        auto now = mode_.load();
        if (now == mode::blackhole) {
            // Read nothing, send nothing, close nothing.
            ::poll(nullptr, 0, 50);
            continue;
        }
        if (now == mode::cut)
            break;
        if (now == mode::reset) {
            abort = true;
            break;
        }
        if (::poll(fds, 2, 50) < 0)
            break;
        bool done = false;
        for (int i = 0; i < 2 && !done; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            auto limit = now == mode::slow ? std::min(sizeof buffer, chunk_bytes_.load()) : sizeof buffer;
            auto n = ::recv(fds[i].fd, buffer, limit, 0);
            if (n > 0 && now == mode::slow)
                throttle();
            if (n <= 0 || ::send(fds[1 - i].fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n)
                done = true;
        }
        if (done)
            break;
    }
    if (abort) {
        // A bare RST on both sides: no FIN first, unlike cut().
        set_abortive(client);
        set_abortive(upstream);
    } else {
        shut(client);
        shut(upstream);
    }
    std::lock_guard lock(mutex_);
    std::erase(sockets_, client);
    std::erase(sockets_, upstream);
    ::close(client);
    ::close(upstream);
}

} // namespace chatkit::test
