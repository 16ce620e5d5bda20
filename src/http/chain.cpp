#include "chatkit/http/middleware.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace chatkit::http {

// Outermost first. Why this order:
// - request_id: everything after it, errors included, can name the request.
// - access_log, metrics: outside everything that can change the status, so
//   they record what the client really got, 500s included.
// - security_headers, cors: decorate every reply, including the 500 the
//   error guard produces and the 4xx produced further in; a browser can then
//   read the error instead of reporting an opaque CORS failure.
// - error_guard: the boundary; inside it, exceptions become the contract's 500.
// - https_guard: refuses plain HTTP before any limit or credential is read.
// - limits: answers what the session saw broken (431/413/400) and nothing
//   else runs for such a request.
// - auth: needs a request that passed the limits; attaches the caller.
// - rate_limit: needs the caller's tier from auth.
const std::vector<std::string_view>& chain::canonical_order()
{
    static const std::vector<std::string_view> order{
        "request_id",  "access_log", "metrics", "security_headers", "cors", "error_guard",
        "https_guard", "limits",     "auth",    "rate_limit",
    };
    return order;
}

namespace {

constexpr std::string_view mandatory[] = {"request_id",  "security_headers", "cors",
                                          "error_guard", "https_guard",      "limits"};

} // namespace

chain::chain(std::vector<std::unique_ptr<middleware>> layers, terminal_handler terminal)
    : layers_(std::move(layers)), terminal_(std::move(terminal))
{
    const auto& order = canonical_order();
    std::ptrdiff_t last = -1;
    for (const auto& layer : layers_) {
        if (!layer)
            throw std::invalid_argument("middleware chain: null middleware");
        auto it = std::find(order.begin(), order.end(), layer->name());
        if (it == order.end())
            throw std::invalid_argument("middleware chain: unknown middleware '" + std::string(layer->name()) + "'");
        auto position = it - order.begin();
        if (position <= last)
            throw std::invalid_argument("middleware chain: '" + std::string(layer->name()) +
                                        "' is duplicated or out of order");
        last = position;
    }
    for (auto required : mandatory) {
        auto present = std::any_of(layers_.begin(), layers_.end(), [&](auto& l) { return l->name() == required; });
        if (!present)
            throw std::invalid_argument("middleware chain: mandatory '" + std::string(required) + "' is missing");
    }
    if (!terminal_)
        throw std::invalid_argument("middleware chain: no terminal handler");
}

boost::asio::awaitable<reply> chain::operator()(request& req, request_context& ctx) const
{
    return next_handler(*this, 0)(req, ctx);
}

std::vector<std::string_view> chain::names() const
{
    std::vector<std::string_view> out;
    for (const auto& layer : layers_)
        out.push_back(layer->name());
    return out;
}

boost::asio::awaitable<reply> next_handler::operator()(request& req, request_context& ctx) const
{
    if (index_ < chain_->layers_.size())
        return chain_->layers_[index_]->handle(req, ctx, next_handler(*chain_, index_ + 1));
    return chain_->terminal_(req, ctx);
}

} // namespace chatkit::http
