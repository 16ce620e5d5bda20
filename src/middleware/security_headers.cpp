#include "chatkit/middleware/security_headers.hpp"

namespace chatkit::middleware {

void security_headers::after(const http::request&, const http::request_context& ctx, http::reply& r) const
{
    auto& h = r.headers;
    // Only this layer writes these three, so they are appended, not replaced.
    h.add("X-Content-Type-Options", "nosniff");
    h.add("X-Frame-Options", "DENY");
    h.add("Referrer-Policy", "strict-origin-when-cross-origin");
    if (!h.get("Content-Security-Policy"))
        h.add("Content-Security-Policy", std::string(api_csp));
    if (!h.get("Cache-Control"))
        h.add("Cache-Control", "no-store");
    if (ctx.secure)
        h.set("Strict-Transport-Security", std::string(hsts));
}

} // namespace chatkit::middleware
