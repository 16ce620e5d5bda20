#include "chatkit/middleware/access_log.hpp"

#include "chatkit/obs/logger.hpp"

#include <spdlog/spdlog.h>

namespace chatkit::middleware {

namespace {

struct line {
    std::string method, path, request_id;
    unsigned status;
    std::chrono::steady_clock::time_point started;

    void write(std::size_t bytes) const
    {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        spdlog::info("access {} {} {} {}B {:.3f}ms rid={}", method, path, status, bytes, double(us.count()) / 1000.0,
                     request_id);
    }
};

// Counts what the stream hands to the session and logs once it is dropped:
// finished, failed or abandoned by the client alike.
class logged_stream final : public http::event_source {
public:
    logged_stream(std::shared_ptr<http::event_source> inner, line l) : inner_(std::move(inner)), line_(std::move(l)) {}
    ~logged_stream() override { line_.write(bytes_); }
    logged_stream(const logged_stream&) = delete;
    logged_stream& operator=(const logged_stream&) = delete;

    boost::asio::awaitable<std::optional<std::string>> next() override
    {
        auto chunk = co_await inner_->next();
        if (chunk)
            bytes_ += chunk->size();
        co_return chunk;
    }

private:
    std::shared_ptr<http::event_source> inner_;
    line line_;
    std::size_t bytes_ = 0;
};

} // namespace

boost::asio::awaitable<http::reply> access_log::handle(http::request& req, http::request_context& ctx,
                                                       http::next_handler next) const
{
    auto reply = co_await next(req, ctx);
    line l{obs::sanitize(req.method, 16), obs::sanitize(req.path, 256), ctx.request_id, reply.status, ctx.started};
    if (reply.stream)
        reply.stream = std::make_shared<logged_stream>(std::move(reply.stream), std::move(l));
    else
        l.write(reply.body.size());
    co_return reply;
}

} // namespace chatkit::middleware
