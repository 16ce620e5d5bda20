#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace chatkit::server {

// One lazy timer per connection. Setting a deadline only stores a time point;
// the timer is re-armed just when a deadline moves earlier than the one it
// waits for. Beast's tcp_stream arms and cancels a timer around every read
// and write, which on a small request costs more than the request.
// When a deadline passes, the socket's pending operation is cancelled.
class connection_deadline {
public:
    using clock = std::chrono::steady_clock;

    explicit connection_deadline(boost::asio::ip::tcp::socket& socket);

    void expires_after(clock::duration d);
    void expires_never();
    // Ends watch(); call once the connection is done.
    void stop();

    // Runs beside the connection until stop().
    boost::asio::awaitable<void> watch();

private:
    boost::asio::ip::tcp::socket& socket_;
    boost::asio::steady_timer timer_;
    clock::time_point deadline_ = clock::time_point::max();
    clock::time_point armed_ = clock::time_point::max();
    bool stopped_ = false;
};

} // namespace chatkit::server
