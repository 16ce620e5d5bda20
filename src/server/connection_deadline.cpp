#include "connection_deadline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chatkit::server {

connection_deadline::connection_deadline(boost::asio::ip::tcp::socket& socket)
    : socket_(socket), timer_(socket.get_executor())
{
}

void connection_deadline::expires_after(clock::duration d)
{
    deadline_ = clock::now() + d;
    if (deadline_ < armed_)
        timer_.cancel(); // watch() re-arms for the earlier deadline
}

void connection_deadline::expires_never()
{
    deadline_ = clock::time_point::max();
}

void connection_deadline::stop()
{
    stopped_ = true;
    timer_.cancel();
}

boost::asio::awaitable<void> connection_deadline::watch()
{
    while (!stopped_) {
        armed_ = deadline_;
        timer_.expires_at(armed_);
        co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (stopped_)
            break;
        if (deadline_ <= clock::now()) {
            boost::system::error_code ignored;
            socket_.cancel(ignored);
            deadline_ = clock::time_point::max();
        }
    }
}

} // namespace chatkit::server
