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
    void sent(std::string_view chunk) override { inner_->sent(chunk); }

private:
    std::shared_ptr<http::event_source> inner_;
    obs::metrics_registry& registry_;
};

} // namespace

void metrics::after(const http::request& req, const http::request_context& ctx, http::reply& r) const
{
    registry_.observe_request(req.method, ctx.route_label(), r.status, std::chrono::steady_clock::now() - ctx.started);
    if (r.stream)
        r.stream = std::make_shared<counted_stream>(std::move(r.stream), registry_);
}

} // namespace chatkit::middleware
