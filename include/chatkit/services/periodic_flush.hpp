#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>

namespace chatkit::services {

// A background writer's heartbeat: flush() every `every` on `executor`, and
// once more when stopped, so what was queued before stop() is written.
//
// With `on_wake`, a pass runs only after wake() (at most every `every`, so
// records that arrive together still share one pass): a writer with nothing
// queued sleeps instead of waking ten times a second to find so, which was
// most of what an idle server did. Work that must happen on a clock
// (leases, pruning) uses `always`.
class periodic_flush {
public:
    enum class schedule { always, on_wake };

    periodic_flush(boost::asio::any_io_executor executor, std::chrono::milliseconds every,
                   schedule when = schedule::always);
    virtual ~periodic_flush() = default;
    periodic_flush(const periodic_flush&) = delete;
    periodic_flush& operator=(const periodic_flush&) = delete;

    void start();
    // Ends the loop after a last flush. Thread-safe.
    void stop();

protected:
    virtual boost::asio::awaitable<void> flush() = 0;
    // Asks for a pass within `every`. Thread-safe; after the first call a
    // pass is owed, further calls cost an atomic exchange until it runs.
    void wake();

private:
    boost::asio::awaitable<void> loop();

    // One strand for the loop and the wake-up handler, so `sleeping_` and
    // the timer need no lock whatever executor the owner passes.
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds every_;
    schedule when_;
    std::atomic<bool> stopped_{false};
    std::atomic<bool> owed_{false};
    bool sleeping_ = false; // on the strand only
};

} // namespace chatkit::services
