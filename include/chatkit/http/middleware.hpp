#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace chatkit::http {

class chain;

// The rest of the onion after the current middleware.
class next_handler {
public:
    next_handler(const chain& c, std::size_t index) : chain_(&c), index_(index) {}
    boost::asio::awaitable<reply> operator()(request& req, request_context& ctx) const;

private:
    const chain* chain_;
    std::size_t index_;
};

class middleware {
public:
    virtual ~middleware() = default;
    // The name places the middleware in the canonical order (see chain.cpp).
    [[nodiscard]] virtual std::string_view name() const = 0;
    virtual boost::asio::awaitable<reply> handle(request& req, request_context& ctx, next_handler next) const = 0;
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
    friend class next_handler;
    std::vector<std::unique_ptr<middleware>> layers_;
    terminal_handler terminal_;
};

} // namespace chatkit::http
