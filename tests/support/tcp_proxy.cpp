#include "tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

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

void reset(int fd)
{
    linger l{1, 0}; // close with RST, as a crashed peer would
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
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
    open_ = false;
    std::lock_guard lock(mutex_);
    for (int fd : sockets_)
        reset(fd);
}

void tcp_proxy::blackhole()
{
    silent_ = true;
}

void tcp_proxy::restore()
{
    silent_ = false;
    open_ = true;
}

void tcp_proxy::accept_loop()
{
    while (!stopping_) {
        int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0)
            return;
        int upstream = open_ ? connect_loopback(upstream_port_) : -1;
        if (upstream < 0) {
            reset(client);
            ::close(client);
            continue;
        }
        std::lock_guard lock(mutex_);
        sockets_.push_back(client);
        sockets_.push_back(upstream);
        threads_.emplace_back([this, client, upstream] { pump(client, upstream); });
    }
}

void tcp_proxy::pump(int client, int upstream)
{
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    char buffer[16384];
    while (!stopping_) {
        if (silent_) {
            // Read nothing, send nothing, close nothing.
            ::poll(nullptr, 0, 50);
            continue;
        }
        if (::poll(fds, 2, 200) < 0)
            break;
        bool done = false;
        for (int i = 0; i < 2 && !done; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            auto n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
            if (n <= 0 || ::send(fds[1 - i].fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n)
                done = true;
        }
        if (done || !open_)
            break;
    }
    reset(client);
    reset(upstream);
    std::lock_guard lock(mutex_);
    std::erase(sockets_, client);
    std::erase(sockets_, upstream);
    ::close(client);
    ::close(upstream);
}

} // namespace chatkit::test
