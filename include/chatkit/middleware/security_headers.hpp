#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// API.md "Security headers": nosniff, DENY framing, a referrer policy unless
// the handler chose its own (a shared conversation), a strict CSP unless the
// handler chose its own (the demo page), no-store unless the handler chose a
// cache policy (static files), HSTS over HTTPS.
class security_headers final : public http::middleware {
public:
    [[nodiscard]] std::string_view name() const override { return "security_headers"; }
    void after(const http::request& req, const http::request_context& ctx, http::reply& r) const override;

    static constexpr std::string_view api_csp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
    static constexpr std::string_view hsts = "max-age=31536000; includeSubDomains";
};

} // namespace chatkit::middleware
