#include "chatkit/middleware/access_log.hpp"

#include "chatkit/obs/logger.hpp"

#include <fmt/compile.h>
#include <spdlog/spdlog.h>

#include <iterator>

namespace chatkit::middleware {

namespace {

// Request ids are printable ASCII already (request_id middleware); method
// and path are escaped only when they hold something to escape.
void write_line(std::string_view method, std::string_view path, unsigned status, std::size_t bytes,
                std::string_view request_id, std::chrono::steady_clock::time_point started)
{
    auto* logger = spdlog::default_logger_raw();
    if (!logger->should_log(spdlog::level::info))
        return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    auto safe = [](std::string_view s, std::size_t max, std::string& storage) -> std::string_view {
        if (s.size() <= max && !obs::needs_escape(s))
            return s;
        storage = obs::sanitize(s, max);
        return storage;
    };
    std::string method_storage, path_storage;
    // Milliseconds with three decimals, printed as integers: float
    // formatting was the costliest part of the line.
    auto micros = us.count();
    // Formatted here with a format compiled at build time, then handed to the
    // logger as finished text: the line is written for every request.
    fmt::memory_buffer text;
    fmt::format_to(std::back_inserter(text), FMT_COMPILE("access {} {} {} {}B {}.{:03}ms rid={}"),
                   safe(method, 16, method_storage), safe(path, 256, path_storage), status, bytes, micros / 1000,
                   micros % 1000, request_id);
    logger->info(std::string_view(text.data(), text.size()));
}

struct line {
    std::string method, path, request_id;
    unsigned status;
    std::chrono::steady_clock::time_point started;

    void write(std::size_t bytes) const { write_line(method, path, status, bytes, request_id, started); }
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
    std::optional<std::string> ready() override
    {
        auto chunk = inner_->ready();
        if (chunk)
            bytes_ += chunk->size();
        return chunk;
    }

private:
    std::shared_ptr<http::event_source> inner_;
    line line_;
    std::size_t bytes_ = 0;
};

} // namespace

void access_log::after(const http::request& req, const http::request_context& ctx, http::reply& r) const
{
    if (r.stream)
        r.stream = std::make_shared<logged_stream>(std::move(r.stream),
                                                   line{req.method, req.path, ctx.request_id, r.status, ctx.started});
    else
        write_line(req.method, req.path, r.status, r.body.size(), ctx.request_id, ctx.started);
}

} // namespace chatkit::middleware
