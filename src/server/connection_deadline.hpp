#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace chatkit::server {

// One lazy timer per connection. Setting a deadline only stores a time point;
// the timer is re-armed just when a deadline moves earlier than the one it
// waits for. Beast's tcp_stream arms and cancels a timer around every read
// and write, which on a small request costs more than the request.
// When a deadline passes, the socket's pending operation is cancelled.
//
// The timer completes into a plain handler, not a coroutine run beside the
// connection: a second coroutine and the parallel group joining them cost
// about 2.5 KB per connection, which 10,000 open streams notice. Use it from
// the connection's executor only.
class connection_deadline {
public:
    using clock = std::chrono::steady_clock;

    explicit connection_deadline(boost::asio::ip::tcp::socket& socket);
    ~connection_deadline();
    connection_deadline(const connection_deadline&) = delete;
    connection_deadline& operator=(const connection_deadline&) = delete;

    void expires_after(clock::duration d);
    void expires_never();
    // No deadline fires after this; the destructor calls it.
    void stop();

private:
    // Shared with the pending wait's handler, which may run after the
    // connection is gone (cancelled, it only lets go of the state).
    struct state {
        explicit state(boost::asio::ip::tcp::socket& s) : socket(&s), timer(s.get_executor()) {}
        boost::asio::ip::tcp::socket* socket; // null once stopped
        boost::asio::steady_timer timer;
        clock::time_point deadline = clock::time_point::max();
        clock::time_point armed = clock::time_point::max();
    };

    static void arm(const std::shared_ptr<state>& s);
    static void fired(const std::shared_ptr<state>& s);

    std::shared_ptr<state> state_;
};

} // namespace chatkit::server
