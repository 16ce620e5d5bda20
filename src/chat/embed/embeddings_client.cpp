#include "chatkit/chat/embed/embeddings_client.hpp"

#include "chatkit/chat/answer/upstream_target.hpp"
#include "chatkit/chat/embed/embeddings_parser.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>

namespace chatkit::chat {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// The most JSON a vector takes: 8192 dimensions (the most
// EMBEDDINGS_DIMENSIONS allows) of up to 24 characters each; a batch of 64
// is 12.6 MB. An answer past it is refused before it is parsed.
constexpr std::uint64_t max_vector_bytes = 8192 * 24;
constexpr std::uint64_t response_overhead_bytes = 64 << 10;

bool retryable_status(unsigned status)
{
    return status == 408 || status == 429 || status >= 500;
}

template <class Stream>
asio::awaitable<std::string> exchange(Stream& stream, beast::flat_buffer& buffer,
                                      bhttp::request<bhttp::string_body>& req, std::uint64_t body_limit)
{
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
    auto status = parser.get().result_int();
    if (status != 200)
        throw embeddings_error("embeddings endpoint answered HTTP " + std::to_string(status), retryable_status(status),
                               status);
    co_return parser.release().body();
}

} // namespace

embeddings_client::embeddings_client(embeddings_settings settings)
    : settings_(std::move(settings)),
      target_(std::make_unique<upstream_target>(settings_.base_url, "EMBEDDINGS_BASE_URL", "/embeddings"))
{
}

embeddings_client::~embeddings_client() = default;

std::string embeddings_client::request_body(const std::vector<std::string>& texts) const
{
    boost::json::array input;
    for (const auto& t : texts)
        input.emplace_back(t);
    boost::json::object body{{"model", settings_.model}, {"input", std::move(input)}, {"encoding_format", "float"}};
    if (settings_.dimensions)
        body["dimensions"] = settings_.dimensions;
    return boost::json::serialize(body);
}

asio::awaitable<std::vector<std::vector<float>>> embeddings_client::embed(const std::vector<std::string>& texts,
                                                                          std::chrono::milliseconds timeout,
                                                                          std::size_t dimensions)
{
    if (dimensions == 0)
        dimensions = settings_.dimensions;
    const std::uint64_t body_limit = texts.size() * max_vector_bytes + response_overhead_bytes;
    if (texts.empty())
        co_return std::vector<std::vector<float>>{};
    auto req = target_->post(request_body(texts), settings_.api_key);
    req.set(bhttp::field::connection, "close");
    req.prepare_payload();
    std::string body;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    try {
        auto connection =
            co_await target_->open(co_await asio::this_coro::executor, std::min(timeout, settings_.connect_timeout));
        connection->lowest().expires_at(deadline);
        // Not a conditional expression: GCC 12 miscompiles co_await inside one.
        if (connection->plain)
            body = co_await exchange(*connection->plain, connection->buffer, req, body_limit);
        else
            body = co_await exchange(*connection->tls, connection->buffer, req, body_limit);
    } catch (const boost::system::system_error& e) {
        throw embeddings_error("embeddings request failed: " + e.code().message(), true);
    }
    try {
        co_return parse_embeddings(body, texts.size(), dimensions);
    } catch (const std::runtime_error& e) {
        throw embeddings_error(e.what(), false);
    }
}

} // namespace chatkit::chat
