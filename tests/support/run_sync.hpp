#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace chatkit::test {

// Runs a coroutine to completion on a private io_context; unit tests use it
// to drive middleware and handlers without sockets.
template <class T> T run_sync(boost::asio::awaitable<T> op)
{
    boost::asio::io_context ctx;
    auto future = boost::asio::co_spawn(ctx, std::move(op), boost::asio::use_future);
    ctx.run();
    return future.get();
}

} // namespace chatkit::test
