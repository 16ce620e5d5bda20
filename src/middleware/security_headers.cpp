#include "chatkit/middleware/security_headers.hpp"

namespace chatkit::middleware {

void security_headers::after(const http::request&, const http::request_context& ctx, http::reply& r) const
{
    auto& h = r.headers;
    // A handler may have set its own policy, caching or referrer policy
    // (a shared conversation's page sends no Referer at all): one pass over
    // the reply's fields finds them, before the ones below lengthen it.
    bool has_csp = false, has_cache_control = false, has_referrer_policy = false;
    for (const auto& f : h) {
        has_csp = has_csp || http::iequals(f.name, "Content-Security-Policy");
        has_cache_control = has_cache_control || http::iequals(f.name, "Cache-Control");
        has_referrer_policy = has_referrer_policy || http::iequals(f.name, "Referrer-Policy");
    }
    // Only this layer writes these two, so they are appended, not replaced.
    h.add("X-Content-Type-Options", "nosniff");
    h.add("X-Frame-Options", "DENY");
    if (!has_referrer_policy)
        h.add("Referrer-Policy", "strict-origin-when-cross-origin");
    if (!has_csp)
        h.add("Content-Security-Policy", std::string(api_csp));
    if (!has_cache_control)
        h.add("Cache-Control", "no-store");
    if (ctx.secure)
        h.set("Strict-Transport-Security", std::string(hsts));
}

} // namespace chatkit::middleware
