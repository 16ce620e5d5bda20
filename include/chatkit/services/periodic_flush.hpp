#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>

namespace chatkit::services {

// A background writer's heartbeat: flush() every `every` on `executor`, and
// once more when stopped, so what was queued before stop() is written.
class periodic_flush {
public:
    periodic_flush(boost::asio::any_io_executor executor, std::chrono::milliseconds every);
    virtual ~periodic_flush() = default;
    periodic_flush(const periodic_flush&) = delete;
    periodic_flush& operator=(const periodic_flush&) = delete;

    void start();
    // Ends the loop after a last flush. Thread-safe.
    void stop();

protected:
    virtual boost::asio::awaitable<void> flush() = 0;

private:
    boost::asio::awaitable<void> loop();

    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds every_;
    std::atomic<bool> stopped_{false};
};

} // namespace chatkit::services
