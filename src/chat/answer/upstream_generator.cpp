#include "chatkit/chat/answer/upstream_generator.hpp"

#include "chatkit/chat/answer/citations.hpp"
#include "chatkit/chat/answer/upstream_parser.hpp"
#include "chatkit/chat/answer/upstream_pool.hpp"
#include "chatkit/chat/answer/upstream_prompt.hpp"
#include "chatkit/chat/answer/upstream_target.hpp"
#include "chatkit/obs/upstream_metrics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace chatkit::chat {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// How many idle connections are kept, and for how long: under the idle
// timeouts of common servers and load balancers, so a kept connection is
// rarely found closed (and when it is, a fresh one replaces it).
constexpr std::size_t pool_capacity = 256;
constexpr auto pool_max_idle = std::chrono::seconds(30);
// How long the end of a response may trail its [DONE] before the
// connection is given up instead of reused.
constexpr auto finish_timeout = std::chrono::seconds(5);

using response_parser = bhttp::response_parser<bhttp::buffer_body>;

} // namespace

upstream_generator::upstream_generator(upstream_settings settings)
    : settings_(std::move(settings)),
      target_(std::make_unique<upstream_target>(settings_.base_url, "LLM_BASE_URL", "/chat/completions")),
      pool_(std::make_unique<upstream_pool>(pool_capacity, pool_max_idle))
{
}

upstream_generator::~upstream_generator() = default;

std::string upstream_generator::body_of(boost::json::array messages) const
{
    boost::json::object body{{"model", settings_.model},
                             {"stream", true},
                             {"max_tokens", settings_.max_tokens},
                             {"messages", std::move(messages)}};
    return boost::json::serialize(body);
}

std::string upstream_generator::request_body(const grounding& g) const
{
    return body_of(build_prompt(g, settings_.prompt_tokens).messages);
}

template <class Stream, class Parser>
asio::awaitable<void> upstream_generator::finish(Stream& stream, connection_ptr connection,
                                                 std::unique_ptr<Parser> parser)
{
    auto& lowest = connection->lowest();
    lowest.expires_after(finish_timeout);
    char discard[512];
    while (!parser->is_done()) {
        parser->get().body().data = discard;
        parser->get().body().size = sizeof discard;
        auto [ec, n] =
            co_await bhttp::async_read_some(stream, connection->buffer, *parser, asio::as_tuple(asio::use_awaitable));
        if (ec && ec != bhttp::error::need_buffer)
            co_return;
    }
    if (parser->keep_alive())
        pool_->give(std::move(connection));
}

template <class Stream>
asio::awaitable<void> upstream_generator::exchange(Stream& stream, connection_ptr& connection, const std::string& body,
                                                   const std::string& request_id, const token_sink& emit,
                                                   obs::upstream_call& call)
{
    auto& lowest = connection->lowest();
    auto req = target_->post(body, settings_.api_key);
    req.set(bhttp::field::accept, "text/event-stream");
    // The provider's logs then name the request an operator is looking at.
    if (!request_id.empty())
        req.set("X-Request-ID", request_id);
    req.prepare_payload();
    lowest.expires_after(settings_.first_token_timeout);
    co_await bhttp::async_write(stream, req, asio::use_awaitable);

    auto parser = std::make_unique<response_parser>();
    parser->body_limit(boost::none);
    co_await bhttp::async_read_header(stream, connection->buffer, *parser, asio::use_awaitable);
    call.answered(parser->get().result_int());
    if (parser->get().result_int() != 200)
        throw std::runtime_error("upstream answered HTTP " + std::to_string(parser->get().result_int()));

    upstream_parser chunks;
    bool first = true;
    char data[8192];
    while (!parser->is_done() && !chunks.done()) {
        parser->get().body().data = data;
        parser->get().body().size = sizeof data;
        auto [ec, n] =
            co_await bhttp::async_read_some(stream, connection->buffer, *parser, asio::as_tuple(asio::use_awaitable));
        if (ec == bhttp::error::need_buffer)
            ec = {};
        if (ec)
            throw boost::system::system_error(ec);
        auto got = sizeof data - parser->get().body().size;
        call.received(got);
        for (auto& token : chunks.feed({data, got})) {
            first = false;
            call.token();
            co_await emit(std::move(token));
        }
        lowest.expires_after(first ? settings_.first_token_timeout : settings_.idle_timeout);
    }
    if (!chunks.done())
        throw std::runtime_error("upstream ended the stream before [DONE]");
    if (parser->is_done()) {
        if (parser->keep_alive())
            pool_->give(std::move(connection));
        co_return;
    }
    // The answer is complete; the end of the response may still be on its
    // way. Wait for it apart from the answer, whose done event goes out now.
    asio::co_spawn(co_await asio::this_coro::executor, finish(stream, std::move(connection), std::move(parser)),
                   asio::detached);
}

asio::awaitable<void> upstream_generator::generate(const grounding& g, const token_sink& emit)
{
    using outcome = obs::upstream_metrics::outcome;
    auto executor = co_await asio::this_coro::executor;
    auto prompt = build_prompt(g, settings_.prompt_tokens);
    const auto body = body_of(std::move(prompt.messages));
    // What reaches the reader cites only sources the model was given.
    auto check = citation_filter::checking(prompt.sources_given);
    const token_sink checked = [&](std::string token) -> asio::awaitable<void> {
        auto out = check.feed(token);
        if (!out.empty())
            co_await emit(std::move(out));
    };
    // What the answer's side throws (a cancel, a client gone, an answer too
    // long) passes the handlers below: `call` then counts it as cancelled.
    obs::upstream_call call(settings_.metrics);
    for (;;) {
        auto connection = pool_->take(executor);
        bool reused = connection != nullptr;
        try {
            if (!connection)
                connection = co_await target_->open(executor, settings_.connect_timeout);
            if (connection->plain)
                co_await exchange(*connection->plain, connection, body, g.request_id, checked, call);
            else
                co_await exchange(*connection->tls, connection, body, g.request_id, checked, call);
            call.finish(outcome::ok);
            break;
        } catch (const boost::system::system_error& e) {
            // An idle connection the upstream closed fails before any answer
            // on it; anything else is the answer's failure.
            if (reused && !call.answered() && e.code() != asio::error::operation_aborted)
                continue;
            if (e.code() == asio::error::operation_aborted)
                call.finish(outcome::cancelled);
            else if (e.code() == beast::error::timeout)
                call.finish(outcome::timeout);
            else
                call.finish(outcome::error);
            throw;
        } catch (const std::runtime_error&) {
            // A refusal (HTTP status), a malformed or truncated stream.
            call.finish(outcome::error);
            throw;
        }
    }
    if (auto rest = check.finish(); !rest.empty())
        co_await emit(std::move(rest));
}

void upstream_generator::release()
{
    pool_->clear();
}

std::size_t upstream_generator::idle_connections() const
{
    return pool_->idle();
}

} // namespace chatkit::chat
