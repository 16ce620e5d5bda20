#include "chatkit/middleware/cors.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/util/origins.hpp"

#include <algorithm>

namespace chatkit::middleware {

namespace {

constexpr std::string_view allowed_methods = "GET, POST, DELETE, OPTIONS";
constexpr std::string_view allowed_headers = "Authorization, Content-Type, Last-Event-ID, X-Request-ID";
constexpr std::string_view exposed_headers = "X-Request-ID, Retry-After";

void add_vary_origin(http::header_list& h)
{
    auto vary = h.get("Vary");
    if (!vary)
        h.add("Vary", "Origin");
    else if (vary->find("Origin") == std::string_view::npos)
        h.set("Vary", std::string(*vary) + ", Origin");
}

} // namespace

bool cors::allows(std::string_view origin) const
{
    if (origins_.empty())
        return util::is_loopback_origin(origin);
    return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

std::optional<http::reply> cors::before(http::request& req, http::request_context& ctx) const
{
    auto origin = req.headers.get("Origin");
    if (req.method != "OPTIONS" || !origin || !req.headers.get("Access-Control-Request-Method"))
        return std::nullopt;
    ctx.route = "preflight";
    if (!allows(*origin)) {
        auto r = http::error_reply(ctx, 403, "CORS_ORIGIN_NOT_ALLOWED", "This origin may not call the API.");
        add_vary_origin(r.headers);
        return r;
    }
    auto r = http::no_content();
    r.headers.add("Access-Control-Allow-Origin", std::string(*origin));
    r.headers.add("Access-Control-Allow-Methods", std::string(allowed_methods));
    r.headers.add("Access-Control-Allow-Headers", std::string(allowed_headers));
    r.headers.add("Access-Control-Max-Age", "600");
    add_vary_origin(r.headers);
    return r;
}

void cors::after(const http::request& req, const http::request_context&, http::reply& r) const
{
    add_vary_origin(r.headers);
    auto origin = req.headers.get("Origin");
    if (origin && allows(*origin)) {
        r.headers.set("Access-Control-Allow-Origin", std::string(*origin));
        r.headers.set("Access-Control-Expose-Headers", std::string(exposed_headers));
    }
}

} // namespace chatkit::middleware
