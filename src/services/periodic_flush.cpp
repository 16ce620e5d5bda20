#include "chatkit/services/periodic_flush.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chatkit::services {

namespace asio = boost::asio;

periodic_flush::periodic_flush(asio::any_io_executor executor, std::chrono::milliseconds every)
    : executor_(executor), timer_(executor), every_(every)
{
}

void periodic_flush::start()
{
    asio::co_spawn(executor_, loop(), asio::detached);
}

void periodic_flush::stop()
{
    stopped_ = true;
    asio::post(executor_, [this] { timer_.cancel(); });
}

asio::awaitable<void> periodic_flush::loop()
{
    while (!stopped_) {
        timer_.expires_after(every_);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        co_await flush();
    }
    co_await flush();
}

} // namespace chatkit::services
