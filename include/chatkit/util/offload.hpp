#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <type_traits>

namespace chatkit::util {

// Runs blocking work (SMTP, file reads) on `pool` and resumes the awaiting
// coroutine on its own executor with the result, or the exception.
template <class F> auto offload(boost::asio::thread_pool& pool, F f) -> boost::asio::awaitable<std::invoke_result_t<F>>
{
    using result = std::invoke_result_t<F>;
    namespace asio = boost::asio;
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, result)>(
        [&pool, &f](auto handler) {
            auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            asio::post(pool, [work = std::move(f), shared, guard]() mutable {
                result r{};
                std::exception_ptr error;
                try {
                    r = work();
                } catch (...) {
                    error = std::current_exception();
                }
                asio::post(guard.get_executor(),
                           [shared, error, r = std::move(r)]() mutable { std::move (*shared)(error, std::move(r)); });
            });
        },
        asio::use_awaitable);
}

} // namespace chatkit::util
