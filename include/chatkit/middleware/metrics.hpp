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
    void after(const http::request& req, const http::request_context& ctx, http::reply& r) const override;

private:
    obs::metrics_registry& registry_;
};

} // namespace chatkit::middleware
