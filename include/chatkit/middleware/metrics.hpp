#pragma once

#include "chatkit/http/middleware.hpp"
#include "chatkit/obs/metrics.hpp"

namespace chatkit::middleware {

// Counts requests by route pattern and status, times them, and tracks open
// event streams.
class metrics final : public http::middleware {
public:
    explicit metrics(obs::metrics_registry& registry) : registry_(registry) {}
    [[nodiscard]] std::string_view name() const override { return "metrics"; }
    boost::asio::awaitable<http::reply> handle(http::request& req, http::request_context& ctx,
                                               http::next_handler next) const override;

private:
    obs::metrics_registry& registry_;
};

} // namespace chatkit::middleware
