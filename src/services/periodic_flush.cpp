#include "chatkit/services/periodic_flush.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chatkit::services {

namespace asio = boost::asio;

periodic_flush::periodic_flush(asio::any_io_executor executor, std::chrono::milliseconds every, schedule when)
    : strand_(asio::make_strand(executor)), timer_(strand_), every_(every), when_(when)
{
}

void periodic_flush::start()
{
    asio::co_spawn(strand_, loop(), asio::detached);
}

void periodic_flush::stop()
{
    stopped_ = true;
    asio::post(strand_, [this] { timer_.cancel(); });
}

void periodic_flush::wake()
{
    // Only a sleeping loop is cut short: one waiting out `every` keeps
    // gathering, so a busy writer still writes in batches.
    if (!owed_.exchange(true, std::memory_order_acq_rel))
        asio::post(strand_, [this] {
            if (sleeping_)
                timer_.cancel();
        });
}

asio::awaitable<void> periodic_flush::loop()
{
    while (!stopped_) {
        if (when_ == schedule::on_wake && !owed_.load(std::memory_order_acquire)) {
            // wake() posts to this strand, so its handler runs only once this
            // wait has begun and finds sleeping_ set.
            sleeping_ = true;
            timer_.expires_at(asio::steady_timer::time_point::max());
            co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
            sleeping_ = false;
            continue;
        }
        timer_.expires_after(every_);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        owed_.store(false, std::memory_order_release);
        co_await flush();
    }
    co_await flush();
}

} // namespace chatkit::services
