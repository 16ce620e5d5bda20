#include "chatkit/http/router.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/util/url.hpp"

#include <boost/container/small_vector.hpp>

#include <stdexcept>

namespace chatkit::http {

namespace {

// Paths have a handful of segments: kept inline, no allocation per request.
using segment_list = boost::container::small_vector<std::string_view, 8>;

segment_list split_path(std::string_view path)
{
    segment_list out;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool is_param(std::string_view segment)
{
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// HEAD is served by the GET handler; the session drops the body.
bool method_matches(std::string_view route_method, std::string_view method)
{
    return route_method == method || (method == "HEAD" && route_method == "GET");
}

// The segments of a request target read as loosely as any client, proxy or
// log reader might: an absolute-form target's path; a backslash and an
// encoded slash ("%2F", "%5C") taken as '/'; empty segments skipped. Only
// for telling what a log must hide.
segment_list loose_segments(std::string_view target)
{
    if (auto scheme = target.find("://"); scheme != std::string_view::npos && !target.starts_with('/')) {
        auto path = target.find_first_of("/\\", scheme + 3);
        target = path == std::string_view::npos ? std::string_view() : target.substr(path);
    }
    auto separator = [&](std::size_t i) -> std::size_t {
        if (target[i] == '/' || target[i] == '\\')
            return 1;
        bool encoded = target[i] == '%' && i + 2 < target.size() && (target[i + 1] == '2' || target[i + 1] == '5') &&
                       iequals(target.substr(i + 1, 2), target[i + 1] == '2' ? "2f" : "5c");
        return encoded ? 3 : 0;
    };
    segment_list out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= target.size();) {
        std::size_t n = i < target.size() ? separator(i) : 1;
        if (n == 0) {
            ++i;
            continue;
        }
        if (i > start)
            out.push_back(target.substr(start, i - start));
        i += n;
        start = i;
    }
    return out;
}

// A literal segment as a client may have spelled it: any case, any
// character percent-encoded ("%63" for "c").
bool loosely_equal(std::string_view segment, std::string_view literal)
{
    return iequals(util::percent_decode(segment), literal);
}

bool is_json_media_type(std::string_view content_type)
{
    auto semicolon = content_type.find(';');
    auto media = content_type.substr(0, semicolon);
    while (!media.empty() && media.back() == ' ')
        media.remove_suffix(1);
    return iequals(media, "application/json");
}

} // namespace

void router::add(std::string_view method, std::string_view pattern, handler_fn handler, route_options options)
{
    if (pattern.empty() || pattern.front() != '/')
        throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
    options.pattern = std::string(pattern);
    if (options.secret_path && (pattern.size() < 2 || pattern[1] == '{'))
        throw std::invalid_argument("a secret route starts with a literal segment: " + std::string(pattern));
    route r{std::string(method), std::string(pattern), {}, std::move(handler), std::move(options)};
    for (auto segment : split_path(pattern))
        r.segments.emplace_back(segment);
    routes_.push_back(std::move(r));
}

bool router::match(const route& r, std::span<const std::string_view> segments,
                   std::vector<std::pair<std::string, std::string>>* params)
{
    // A last `{name...}` takes the rest of the path, slashes and all.
    const bool rest = !r.segments.empty() && r.segments.back().ends_with("...}");
    if (rest ? segments.size() < r.segments.size() : segments.size() != r.segments.size())
        return false;
    for (std::size_t i = 0; i < r.segments.size(); ++i) {
        if (rest && i + 1 == r.segments.size()) {
            if (params) {
                std::string tail;
                for (std::size_t k = i; k < segments.size(); ++k)
                    tail.append(k > i ? "/" : "").append(segments[k]);
                params->emplace_back(r.segments[i].substr(1, r.segments[i].size() - 5), std::move(tail));
            }
            break;
        }
        if (is_param(r.segments[i])) {
            if (segments[i].empty())
                return false;
            if (params)
                params->emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), segments[i]);
        } else if (r.segments[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

const router::route* router::find(std::string_view method, std::string_view path) const
{
    if (path.empty() || path.front() != '/')
        return nullptr;
    auto segments = split_path(path);
    for (const auto& r : routes_)
        if (method_matches(r.method, method) && match(r, segments, nullptr))
            return &r;
    return nullptr;
}

const route_options* router::options_for(std::string_view method, std::string_view path) const
{
    const auto* r = find(method, path);
    return r ? &r->options : nullptr;
}

const route_options* router::secret_route_for(std::string_view target) const
{
    auto segments = loose_segments(target);
    for (const auto& r : routes_) {
        if (!r.options.secret_path)
            continue;
        std::size_t literal = 0;
        while (literal < r.segments.size() && !is_param(r.segments[literal]))
            ++literal;
        bool under = literal > 0 && segments.size() >= literal;
        for (std::size_t i = 0; under && i < literal; ++i)
            under = loosely_equal(segments[i], r.segments[i]);
        if (under)
            return &r.options;
    }
    return nullptr;
}

boost::asio::awaitable<reply> router::dispatch(request& req, request_context& ctx) const
{
    const route* found = nullptr;
    std::string allow;
    // Split once; every route compares segments against the same pieces.
    auto segments = req.path.starts_with('/') ? split_path(req.path) : segment_list{};
    // The session looked the route up already (for its body limit) when
    // the request is untouched since; its options identify it.
    for (const auto& r : routes_) {
        if (ctx.route_opts == &r.options) {
            if (method_matches(r.method, req.method) && match(r, segments, nullptr))
                found = &r;
            break;
        }
    }
    for (const auto& r : routes_) {
        if (found)
            break;
        if (segments.empty() || !match(r, segments, nullptr))
            continue;
        if (method_matches(r.method, req.method)) {
            found = &r;
            break;
        }
        if (allow.find(r.method) == std::string::npos)
            allow += (allow.empty() ? "" : ", ") + r.method;
    }
    if (!found) {
        if (allow.empty())
            co_return error_reply(ctx, 404, "NOT_FOUND", "No such resource.");
        if (req.method == "OPTIONS") {
            auto r = no_content();
            r.headers.add("Allow", allow + ", OPTIONS");
            co_return r;
        }
        auto r = error_reply(ctx, 405, "METHOD_NOT_ALLOWED", "This method is not allowed on this resource.",
                             boost::json::object{{"allow", allow}});
        r.headers.add("Allow", allow);
        co_return r;
    }
    ctx.route = found->pattern;
    static_cast<void>(match(*found, segments, &ctx.params));
    if (found->options.json_body && !req.body.empty()) {
        auto content_type = req.headers.get("Content-Type");
        if (!content_type || !is_json_media_type(*content_type))
            co_return error_reply(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json.");
    }
    co_return co_await found->handler(req, ctx);
}

} // namespace chatkit::http
