#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace chatkit::server {

// What the server may do to a live session from another thread: always by
// posting to the session's own executor, where only that thread touches it.
struct session_handle {
    boost::asio::any_io_executor executor;
    boost::asio::ip::tcp::socket* socket = nullptr; // null once the session is ending
    bool idle = true;                               // waiting for the next request
    boost::asio::cancellation_signal cancel;
};

class session_registry {
public:
    void add(const std::shared_ptr<session_handle>& h);
    // Returns the number of sessions still open.
    std::size_t remove(const session_handle* h);
    [[nodiscard]] std::size_t size() const;

    // Runs f(handle) on each live session's executor.
    void for_each(const std::function<void(session_handle&)>& f) const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<const session_handle*, std::weak_ptr<session_handle>> sessions_;
};

} // namespace chatkit::server
