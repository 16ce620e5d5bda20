#include "test_routes.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/http/sse.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>

namespace chatkit::test {

namespace {

long query_number(std::string_view query, std::string_view key, long fallback)
{
    std::size_t pos = 0;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        auto pair = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
        if (pair.starts_with(key) && pair.size() > key.size() && pair[key.size()] == '=') {
            long value = fallback;
            auto digits = pair.substr(key.size() + 1);
            std::from_chars(digits.data(), digits.data() + digits.size(), value);
            return value;
        }
        if (amp == std::string_view::npos)
            break;
        pos = amp + 1;
    }
    return fallback;
}

// Emits `count` events `interval` apart. Each carries the wall-clock time at
// which it was produced, so a test can check it arrived before the next one
// existed, and `padding` bytes of filler, so a test can fill socket buffers.
class paced_stream final : public http::event_source {
public:
    paced_stream(long count, std::chrono::milliseconds interval, long padding)
        : count_(count), interval_(interval), padding_(static_cast<std::size_t>(padding), 'x')
    {
    }

    boost::asio::awaitable<std::optional<std::string>> next() override
    {
        if (sent_ >= count_)
            co_return std::nullopt;
        if (sent_ > 0) {
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, interval_);
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        auto produced =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        boost::json::object data{
            {"n", sent_}, {"produced_at_us", produced}, {"text", "line one\nline two\r\nevent: x"}};
        if (!padding_.empty())
            data["padding"] = padding_;
        auto frame = http::sse_event("test:" + std::to_string(sent_), "tick", boost::json::serialize(data));
        ++sent_;
        co_return frame;
    }

private:
    long count_;
    std::chrono::milliseconds interval_;
    std::string padding_;
    long sent_ = 0;
};

} // namespace

void mount_test_routes(http::router& r, const config::config& cfg)
{
    r.add("GET", "/api/v1/test/stream",
          [](http::request& req, http::request_context&) -> boost::asio::awaitable<http::reply> {
              http::reply reply;
              reply.headers.add("Content-Type", "text/event-stream");
              reply.headers.add("Cache-Control", "no-cache");
              reply.headers.add("X-Accel-Buffering", "no");
              auto count = std::clamp(query_number(req.query, "count", 3), 0L, 1000L);
              auto interval =
                  std::chrono::milliseconds(std::clamp(query_number(req.query, "interval_ms", 100), 0L, 60000L));
              auto padding = std::clamp(query_number(req.query, "padding", 0), 0L, 1L << 20);
              reply.stream = std::make_shared<paced_stream>(count, interval, padding);
              co_return reply;
          });
    auto depth = cfg.max_json_depth;
    r.add("POST", "/api/v1/test/echo",
          [depth](http::request& req, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              auto parsed = http::parse_json_object(req, ctx, depth);
              if (auto* error = std::get_if<http::reply>(&parsed))
                  co_return std::move(*error);
              co_return http::json_reply(200, boost::json::object{{"echo", std::get<boost::json::object>(parsed)}});
          },
          {.body_limit = cfg.max_body_bytes, .json_body = true});
    r.add("GET", "/api/v1/test/fail",
          [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              throw std::runtime_error("SELECT secret FROM /var/lib/chatkit internal failure");
              co_return http::reply{};
          });
    r.add("GET", "/api/v1/test/items/{item_id}",
          [](http::request&, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              co_return http::json_reply(200, boost::json::object{{"item_id", ctx.param("item_id")}});
          });
}

} // namespace chatkit::test
