#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// In production a request that did not arrive over HTTPS (native TLS, or a
// trusted proxy's X-Forwarded-Proto) is refused with 403, except /health so
// load balancers can probe over plain HTTP. The session decides ctx.secure;
// only trusted proxies are believed.
class https_guard final : public http::middleware {
public:
    explicit https_guard(bool enforce) : enforce_(enforce) {}
    [[nodiscard]] std::string_view name() const override { return "https_guard"; }
    std::optional<http::reply> before(http::request& req, http::request_context& ctx) const override;

private:
    bool enforce_;
};

} // namespace chatkit::middleware
