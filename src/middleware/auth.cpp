#include "chatkit/middleware/auth.hpp"

#include "chatkit/services/identity.hpp"
#include "chatkit/util/text.hpp"

namespace chatkit::middleware {

std::string_view auth::bearer_token(std::string_view header)
{
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size() || !http::iequals(header.substr(0, scheme.size()), scheme))
        return {};
    auto token = util::trim(header.substr(scheme.size()), " ");
    if (token.empty() || token.find(' ') != std::string_view::npos)
        return {};
    return token;
}

bool auth::waits(const http::request& req, const http::request_context&) const
{
    return req.headers.get("Authorization").has_value();
}

boost::asio::awaitable<std::optional<http::reply>> auth::before_waiting(http::request& req,
                                                                        http::request_context& ctx) const
{
    // Without the header the request stays credentials::none (waits()).
    auto count = req.headers.count("Authorization");
    if (auto token = count == 1 ? bearer_token(*req.headers.get("Authorization")) : std::string_view(); token.empty()) {
        ctx.auth = http::credentials::malformed;
    } else {
        ctx.caller = co_await identity_.authenticate(std::string(token));
        ctx.auth = ctx.caller ? http::credentials::valid : http::credentials::invalid;
    }
    co_return std::nullopt;
}

} // namespace chatkit::middleware
