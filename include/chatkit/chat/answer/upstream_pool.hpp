#pragma once

// Included only by the upstream client's sources: it brings in Beast.
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace chatkit::chat {

// One connection to the upstream model, plain or TLS, with the bytes already
// read past the end of its last response.
struct upstream_connection {
    std::unique_ptr<boost::beast::tcp_stream> plain;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
    boost::beast::flat_buffer buffer;
    std::chrono::steady_clock::time_point idle_since;

    boost::beast::tcp_stream& lowest() { return plain ? *plain : boost::beast::get_lowest_layer(*tls); }
};

// Idle keep-alive connections to the upstream. Reusing one saves a TCP (and
// TLS) handshake on every answer. A connection belongs to the io_context
// that opened it, so take() hands out only one opened on the caller's.
class upstream_pool {
public:
    upstream_pool(std::size_t capacity, std::chrono::steady_clock::duration max_idle)
        : capacity_(capacity), max_idle_(max_idle)
    {
    }

    // Null when none is idle on this executor's context.
    std::unique_ptr<upstream_connection> take(const boost::asio::any_io_executor& executor);
    // Keeps a connection whose last response was read to its end.
    void give(std::unique_ptr<upstream_connection> connection);
    // Closes every idle connection; call before the io_contexts go away.
    void clear();
    [[nodiscard]] std::size_t idle();

private:
    std::size_t capacity_;
    std::chrono::steady_clock::duration max_idle_;
    std::mutex mutex_;
    std::deque<std::unique_ptr<upstream_connection>> idle_; // oldest first
};

} // namespace chatkit::chat
