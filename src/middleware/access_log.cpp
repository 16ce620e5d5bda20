#include "chatkit/middleware/access_log.hpp"

#include "chatkit/obs/logger.hpp"

#include <spdlog/spdlog.h>

#include <iterator>

namespace chatkit::middleware {

namespace {

struct line {
    std::string method, path, route, request_id, client_ip;
    unsigned status;
    std::chrono::steady_clock::time_point started;

    void write(std::size_t bytes, std::string_view message_id = {}) const
    {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        obs::log_access({method, path, route, status, bytes, us.count(), request_id, client_ip, message_id});
    }
};

// Counts what the stream hands to the session and logs once it is dropped:
// finished, failed or abandoned by the client alike. The answer's id comes
// from its first frame ("id: <message_id>:<n>").
class logged_stream final : public http::event_source {
public:
    logged_stream(std::shared_ptr<http::event_source> inner, line l) : inner_(std::move(inner)), line_(std::move(l)) {}
    ~logged_stream() override { line_.write(bytes_, message_id_); }
    logged_stream(const logged_stream&) = delete;
    logged_stream& operator=(const logged_stream&) = delete;

    // Not a coroutine of its own: a frame here would sit in memory beside
    // every open stream's wait. Bytes are counted as the session sends them.
    boost::asio::awaitable<std::optional<std::string>> next() override { return inner_->next(); }
    std::optional<std::string> ready() override { return inner_->ready(); }
    void sent(std::string_view chunk) override
    {
        count(chunk);
        inner_->sent(chunk);
    }

private:
    void count(std::string_view chunk)
    {
        if (bytes_ == 0 && chunk.starts_with("id: ")) {
            auto end = chunk.find_first_of(":\n", 4);
            if (end != std::string_view::npos && end - 4 <= 64)
                message_id_ = chunk.substr(4, end - 4);
        }
        bytes_ += chunk.size();
    }

    std::shared_ptr<http::event_source> inner_;
    line line_;
    std::size_t bytes_ = 0;
    std::string message_id_;
};

} // namespace

void access_log::after(const http::request& req, const http::request_context& ctx, http::reply& r) const
{
    if (r.stream) {
        r.stream = std::make_shared<logged_stream>(
            std::move(r.stream), line{req.method, std::string(ctx.loggable_path(req)), std::string(ctx.route_label()),
                                      ctx.request_id, ctx.client_ip, r.status, ctx.started});
        return;
    }
    // The common case, on every request: views, no copies.
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ctx.started);
    obs::log_access({req.method,
                     ctx.loggable_path(req),
                     ctx.route_label(),
                     r.status,
                     r.body.size(),
                     us.count(),
                     ctx.request_id,
                     ctx.client_ip,
                     {}});
}

} // namespace chatkit::middleware
