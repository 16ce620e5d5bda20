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
    boundary_ =
        std::size_t(std::find_if(layers_.begin(), layers_.end(), [](auto& l) { return l->name() == "error_guard"; }) -
                    layers_.begin());
}

// One coroutine per request, whatever the number of layers. `at` is the layer
// running now (layers_.size() stands for the terminal handler); an exception
// from a layer inside the boundary, or from the terminal, is recovered by the
// boundary, and the layers outside it then see its reply on the way out.
boost::asio::awaitable<reply> chain::operator()(request& req, request_context& ctx) const
{
    const std::size_t count = layers_.size();
    std::size_t at = 0;
    std::optional<reply> out;
    for (;;) {
        try {
            for (; !out && at < count; ++at) {
                const auto& layer = *layers_[at];
                if (layer.waits(req, ctx))
                    out = co_await layer.before_waiting(req, ctx);
                else
                    out = layer.before(req, ctx);
                if (out)
                    break; // the layer that answered skips its own after()
            }
            if (!out)
                out = co_await terminal_(req, ctx);
            while (at > 0) {
                --at;
                layers_[at]->after(req, ctx, *out);
            }
            co_return std::move(*out);
        } catch (...) {
            if (at <= boundary_)
                throw;
            out = layers_[boundary_]->recover(std::current_exception(), req, ctx);
            at = boundary_;
        }
    }
}

std::vector<std::string_view> chain::names() const
{
    std::vector<std::string_view> out;
    for (const auto& layer : layers_)
        out.push_back(layer->name());
    return out;
}

std::optional<reply> middleware::before(request&, request_context&) const
{
    return std::nullopt;
}

boost::asio::awaitable<std::optional<reply>> middleware::before_waiting(request& req, request_context& ctx) const
{
    co_return before(req, ctx);
}

void middleware::after(const request&, const request_context&, reply&) const {}

reply middleware::recover(std::exception_ptr e, const request&, const request_context&) const
{
    std::rethrow_exception(e);
}

} // namespace chatkit::http
