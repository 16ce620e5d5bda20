#include "chatkit/middleware/metrics.hpp"

namespace chatkit::middleware {

namespace {

class counted_stream final : public http::event_source {
public:
    counted_stream(std::shared_ptr<http::event_source> inner, obs::metrics_registry& registry)
        : inner_(std::move(inner)), registry_(registry)
    {
        registry_.stream_opened();
    }
    ~counted_stream() override { registry_.stream_closed(); }
    counted_stream(const counted_stream&) = delete;
    counted_stream& operator=(const counted_stream&) = delete;

    boost::asio::awaitable<std::optional<std::string>> next() override { return inner_->next(); }
    std::optional<std::string> ready() override { return inner_->ready(); }

private:
    std::shared_ptr<http::event_source> inner_;
    obs::metrics_registry& registry_;
};

} // namespace

boost::asio::awaitable<http::reply> metrics::handle(http::request& req, http::request_context& ctx,
                                                    http::next_handler next) const
{
    auto reply = co_await next(req, ctx);
    registry_.observe_request(req.method, ctx.route, reply.status, std::chrono::steady_clock::now() - ctx.started);
    if (reply.stream)
        reply.stream = std::make_shared<counted_stream>(std::move(reply.stream), registry_);
    co_return reply;
}

} // namespace chatkit::middleware
