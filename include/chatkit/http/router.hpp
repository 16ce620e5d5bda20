#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"
#include "chatkit/http/route_options.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::http {

using handler_fn = std::function<boost::asio::awaitable<reply>(request&, request_context&)>;

// Routes are patterns of literal segments and `{name}` parameters, matched
// segment by segment; a last `{name...}` takes the rest of the path (possibly
// empty). A path that matches with another method gets 405 with
// an Allow header; one that matches nothing gets 404.
class router {
public:
    void add(std::string_view method, std::string_view pattern, handler_fn handler, route_options options = {});

    // The options of the route a request will reach (null when none), known
    // from the head alone: the session applies the body limit before reading
    // a body, the rate limiter reads the action.
    [[nodiscard]] const route_options* options_for(std::string_view method, std::string_view path) const;
    // The secret route (route_options::secret_path) a target lies under,
    // whatever its method and whatever follows the route's leading literal
    // segments ("/c/x/", "OPTIONS /c/x", "http://host/c/x", "//C/x",
    // "/%63/x"); null when none. Logs show its pattern instead of the path.
    [[nodiscard]] const route_options* secret_route_for(std::string_view target) const;

    boost::asio::awaitable<reply> dispatch(request& req, request_context& ctx) const;

private:
    struct route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        handler_fn handler;
        route_options options;
    };

    [[nodiscard]] static bool match(const route& r, std::span<const std::string_view> segments,
                                    std::vector<std::pair<std::string, std::string>>* params);
    [[nodiscard]] const route* find(std::string_view method, std::string_view path) const;

    std::vector<route> routes_;
};

} // namespace chatkit::http
