#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace chatkit::http {

// A layer of the chain. Most layers never wait, so the chain calls them
// inline on the way in and out, all within one coroutine: a coroutine per
// layer was a fifth of the cost of a small request (docs/benchmarks.md).
class middleware {
public:
    virtual ~middleware() = default;
    // The name places the middleware in the canonical order (see chain.cpp).
    [[nodiscard]] virtual std::string_view name() const = 0;

    // On the way in. A reply answers the request here: the inner layers and
    // this layer's after() are skipped, the outer layers' after() see it.
    virtual std::optional<reply> before(request& req, request_context& ctx) const;

    // A layer that has to wait for this request (a database lookup) says so,
    // and the chain awaits before_waiting() instead of calling before().
    [[nodiscard]] virtual bool waits(const request&, const request_context&) const { return false; }
    virtual boost::asio::awaitable<std::optional<reply>> before_waiting(request& req, request_context& ctx) const;

    // On the way out, for every reply produced further in.
    virtual void after(const request& req, const request_context& ctx, reply& r) const;

    // Only the error boundary overrides this: an exception thrown by an inner
    // layer or the handler becomes its reply. The default rethrows.
    virtual reply recover(std::exception_ptr e, const request& req, const request_context& ctx) const;
};

using terminal_handler = std::function<boost::asio::awaitable<reply>(request&, request_context&)>;

// Built once at start-up. The constructor refuses an unknown middleware, a
// duplicate, one out of the canonical order, or a missing mandatory one:
// security policy fails closed.
class chain {
public:
    chain(std::vector<std::unique_ptr<middleware>> layers, terminal_handler terminal);

    boost::asio::awaitable<reply> operator()(request& req, request_context& ctx) const;
    [[nodiscard]] std::vector<std::string_view> names() const;

    // The order every deployment uses, outermost first.
    static const std::vector<std::string_view>& canonical_order();

private:
    std::vector<std::unique_ptr<middleware>> layers_;
    terminal_handler terminal_;
    std::size_t boundary_ = 0; // the error_guard's position
};

} // namespace chatkit::http
