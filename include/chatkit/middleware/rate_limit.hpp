#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/http/middleware.hpp"
#include "chatkit/services/rate_limiter.hpp"

#include <atomic>

namespace chatkit::middleware {

// Per-tier, per-action limits (API.md), counted in the database so every
// instance agrees. The action comes from the route; the tier from the
// caller auth attached, never from the request body.
class rate_limit final : public http::middleware {
public:
    // `ipv6_prefix`: per-IP buckets count an IPv6 client by this many bits.
    rate_limit(services::rate_limiter& limiter, const config::config::rate_limits& rates, unsigned ipv6_prefix,
               std::atomic<std::uint64_t>& hits)
        : limiter_(limiter), rates_(rates), ipv6_prefix_(ipv6_prefix), hits_(hits)
    {
    }
    [[nodiscard]] std::string_view name() const override { return "rate_limit"; }
    // Only a route with a rate action is counted.
    [[nodiscard]] bool waits(const http::request& req, const http::request_context& ctx) const override;
    boost::asio::awaitable<std::optional<http::reply>> before_waiting(http::request& req,
                                                                      http::request_context& ctx) const override;

    // The buckets a request of this action and caller counts against.
    [[nodiscard]] std::vector<services::limit_check> checks_for(http::rate_action action,
                                                                const http::request_context& ctx) const;

private:
    services::rate_limiter& limiter_;
    const config::config::rate_limits& rates_;
    unsigned ipv6_prefix_;
    std::atomic<std::uint64_t>& hits_;
};

} // namespace chatkit::middleware
