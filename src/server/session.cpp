#include "session.hpp"

#include "request_parse.hpp"

#include "chatkit/http/middleware.hpp"
#include "chatkit/http/router.hpp"
#include "connection_deadline.hpp"
#include "request_checks.hpp"
#include "response_head.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <tuple>

namespace chatkit::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using parser_t = bhttp::request_parser<bhttp::string_body>;

bool is_quiet_close(const boost::system::error_code& ec)
{
    return ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
           ec == asio::error::bad_descriptor || ec == bhttp::error::partial_message;
}

class connection {
public:
    connection(asio::ip::tcp::socket socket, session_env& env, std::shared_ptr<session_handle> handle)
        : socket_(std::move(socket)), deadline_(socket_), env_(env), handle_(std::move(handle))
    {
        handle_->socket = &socket_;
        boost::system::error_code ec;
        auto remote = socket_.remote_endpoint(ec);
        if (!ec)
            peer_ = util::unmap(remote.address());
        peer_text_ = peer_.to_string();
    }
    ~connection() { handle_->socket = nullptr; }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    asio::awaitable<void> serve()
    {
        bool first = true;
        for (;;) {
            handle_->idle = true;
            if (env_.draining.load())
                break;
            if (!co_await wait_for_bytes(first ? env_.cfg.header_timeout : env_.cfg.idle_timeout))
                break;
            handle_->idle = false;
            first = false;
            std::optional<stream_reply> stream;
            if (!co_await serve_one(stream))
                break;
            // Streamed here, once serve_one's frame (the request and all it
            // took to answer it) is gone: a stream may stay open for minutes.
            if (stream && !co_await write_stream(*stream))
                break;
        }
        boost::system::error_code ec;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
        if (unread_body_)
            co_await discard_unread_body();
        deadline_.stop();
    }

private:
    // A body refused unread (413) is still arriving. Closing with it unread
    // makes the kernel answer with a reset, which can destroy the 413 before
    // the client reads it; a proxy (nginx) then counts a failed upstream and
    // marks it down. So the rest is read and dropped, within bounds, after
    // the reply, as nginx's own lingering close does.
    asio::awaitable<void> discard_unread_body()
    {
        deadline_.expires_after(linger_time);
        std::size_t dropped = 0;
        while (dropped < linger_bytes) {
            auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(16 * 1024), use_tuple);
            if (ec)
                break;
            dropped += n;
            buffer_.consume(buffer_.size());
        }
    }
    static constexpr std::chrono::seconds linger_time{2};
    static constexpr std::size_t linger_bytes = 8 * 1024 * 1024;

    // Waits for the first byte of the next request under the idle deadline, so
    // the header deadline only starts once the client begins a request.
    asio::awaitable<bool> wait_for_bytes(std::chrono::milliseconds deadline)
    {
        if (buffer_.size() > 0)
            co_return true;
        deadline_.expires_after(deadline);
        auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(4096), use_tuple);
        if (ec)
            co_return false;
        buffer_.commit(n);
        co_return true;
    }

    // A reply whose body is a stream, with what writing it needs of the request.
    struct stream_reply {
        http::reply reply;
        unsigned version;
        bool head_only;
        bool keep_alive;
    };

    // Returns false when the connection must close. A streamed reply is left
    // in `stream` for the caller to send.
    asio::awaitable<bool> serve_one(std::optional<stream_reply>& stream)
    {
        http::request req;
        http::request_context ctx;
        bool keep_alive = false;
        if (!co_await read_request(req, ctx, keep_alive))
            co_return false;

        // Handlers bound their own work; the socket has no deadline meanwhile.
        deadline_.expires_never();
        auto reply = co_await env_.chain(req, ctx);
        keep_alive = keep_alive && !reply.close && !env_.draining.load();
        if (!reply.stream)
            co_return co_await write_whole(req, reply, keep_alive);
        if (buffer_.size() == 0)
            buffer_.shrink_to_fit();
        stream = stream_reply{std::move(reply), req.version, req.method == "HEAD", keep_alive};
        co_return true;
    }

    // Reads and checks one request. The parser lives only here, so its
    // header storage is gone before the reply (which may be a long stream).
    // Returns false when the connection must close without a reply.
    asio::awaitable<bool> read_request(http::request& req, http::request_context& ctx, bool& keep_alive)
    {
        parser_t parser;
        parser.header_limit(static_cast<std::uint32_t>(env_.cfg.max_header_bytes));
        // The route's own limit is applied once the head says which route it
        // is; until then Beast must not judge the Content-Length itself.
        parser.body_limit(boost::none);
        auto ec = parse_buffered_head(parser);
        if (ec == bhttp::error::need_more) {
            deadline_.expires_after(env_.cfg.header_timeout);
            std::tie(ec, std::ignore) = co_await bhttp::async_read_header(socket_, buffer_, parser, use_tuple);
        }

        ctx.peer = peer_;
        ctx.client_ip = peer_text_;
        if (ec == bhttp::error::header_limit) {
            ctx.rejected = http::rejection{431, "REQUEST_HEADER_FIELDS_TOO_LARGE",
                                           "The request head is larger than this server accepts."};
            req.method = "-";
        } else if (ec && is_quiet_close(ec)) {
            co_return false;
        } else if (ec) {
            ctx.rejected = http::rejection{400, "BAD_REQUEST", "The request is not valid HTTP/1.1."};
            req.method = "-";
        } else {
            req = to_request(parser.get());
            ctx.secret_route = env_.router.secret_route_for(req.path);
            ctx.secure = forwarded_https(req, peer_, env_.trusted_proxies);
            ctx.client_ip = client_address(req, peer_, peer_text_, env_.trusted_proxies);
            ctx.rejected = check_head(req, parser.chunked());
            if (!ctx.rejected && !co_await read_body(parser, req, ctx))
                co_return false;
        }
        keep_alive = !ctx.rejected && parser.is_header_done() && parser.get().keep_alive();
        co_return true;
    }

    // Usually the first read already holds the whole head. Parsing it here
    // skips Beast's composed read, which completes through a post to the
    // scheduler even when it never touches the socket (a tenth of a small
    // request's cost). need_more sends the caller to the socket.
    boost::system::error_code parse_buffered_head(parser_t& parser)
    {
        boost::system::error_code ec;
        while (!parser.is_header_done()) {
            if (buffer_.size() == 0)
                return bhttp::error::need_more;
            auto used = parser.put(buffer_.data(), ec);
            buffer_.consume(used);
            if (ec)
                return ec;
            if (used == 0)
                return bhttp::error::need_more;
        }
        return ec;
    }

    asio::awaitable<bool> read_body(parser_t& parser, http::request& req, http::request_context& ctx)
    {
        ctx.route_opts = env_.router.options_for(req.method, req.path);
        auto limit = ctx.route_opts ? ctx.route_opts->body_limit : env_.cfg.max_body_bytes;
        if (auto length = parser.content_length(); length && *length > limit) {
            ctx.rejected = too_large();
            unread_body_ = true;
            co_return true;
        }
        if (parser.is_done())
            co_return true;
        parser.body_limit(limit);
        if (auto expect = req.headers.get("Expect"); expect && http::iequals(*expect, "100-continue")) {
            bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
            deadline_.expires_after(env_.cfg.write_timeout);
            auto [wec, wn] = co_await bhttp::async_write(socket_, cont, use_tuple);
            if (wec)
                co_return false;
        }
        deadline_.expires_after(env_.cfg.body_timeout);
        auto [ec, n] = co_await bhttp::async_read(socket_, buffer_, parser, use_tuple);
        if (ec == bhttp::error::body_limit) {
            ctx.rejected = too_large();
            unread_body_ = true;
            co_return true;
        }
        if (ec && is_quiet_close(ec))
            co_return false;
        if (ec) {
            ctx.rejected = http::rejection{400, "BAD_REQUEST", "The request body is not valid HTTP/1.1."};
            co_return true;
        }
        req.body = std::move(parser.get().body());
        co_return true;
    }

    static http::rejection too_large()
    {
        return {413, "PAYLOAD_TOO_LARGE", "The request body is larger than this resource accepts."};
    }

    // 1xx, 204 and 304 replies never carry a body or its framing.
    static bool bodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

    asio::awaitable<bool> write_whole(const http::request& req, http::reply& reply, bool keep_alive)
    {
        head_options options{.status = reply.status,
                             .version = req.version >= 10 ? req.version : 11u,
                             .keep_alive = keep_alive,
                             .content_length = std::nullopt,
                             .chunked = false};
        if (!bodiless(reply.status))
            options.content_length = reply.body.size();
        auto head = serialize_head(reply.headers, options);
        bool send_body = options.content_length && req.method != "HEAD";
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                  send_body ? asio::buffer(reply.body) : asio::const_buffer()};
        deadline_.expires_after(env_.cfg.write_timeout);
        auto [ec, n] = co_await asio::async_write(socket_, buffers, use_tuple);
        co_return !ec && keep_alive;
    }

    // One piece of a streamed body as buffers: chunk-framed for HTTP/1.1
    // (`prefix` holds the size line), bare for HTTP/1.0.
    static std::array<asio::const_buffer, 3> frame_chunk(const std::string& chunk, bool chunked, std::string& prefix)
    {
        if (!chunked)
            return {asio::buffer(chunk)};
        prefix = chunk_prefix(chunk.size());
        return {asio::buffer(prefix), asio::buffer(chunk), asio::buffer(chunk_suffix.data(), chunk_suffix.size())};
    }

    // Chunked for HTTP/1.1; HTTP/1.0 gets a close-delimited body. Each chunk
    // is written (and so handed to the kernel) before the next is requested.
    asio::awaitable<bool> write_stream(stream_reply& s)
    {
        auto& reply = s.reply;
        bool chunked = s.version >= 11;
        bool keep_alive = s.keep_alive && chunked;
        auto head = serialize_head(reply.headers, {.status = reply.status,
                                                   .version = chunked ? 11u : 10u,
                                                   .keep_alive = keep_alive,
                                                   .content_length = std::nullopt,
                                                   .chunked = chunked});
        if (s.head_only) {
            // The head a GET would get, and no body: the listener goes now.
            reply.stream.reset();
            deadline_.expires_after(env_.cfg.write_timeout);
            auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(head), use_tuple);
            co_return !ec && keep_alive;
        }
        // The head and whatever the stream holds already leave in one write.
        auto first = reply.stream->ready();
        if (first && first->empty())
            first.reset(); // an empty chunk would end the body
        std::string first_prefix;
        std::array<asio::const_buffer, 4> head_buffers{asio::buffer(head)};
        if (first) {
            auto framed = frame_chunk(*first, chunked, first_prefix);
            std::copy(framed.begin(), framed.end(), head_buffers.begin() + 1);
        }
        deadline_.expires_after(env_.cfg.write_timeout);
        auto [hec, hn] = co_await asio::async_write(socket_, head_buffers, use_tuple);
        if (hec)
            co_return false;
        if (first)
            reply.stream->sent(*first);
        // Sent: a stream may stay open for minutes, so the head goes now.
        std::string().swap(head);
        std::string().swap(first_prefix);
        first.reset();
        reply.headers = {};

        for (;;) {
            deadline_.expires_never();
            std::optional<std::string> chunk;
            try {
                chunk = co_await reply.stream->next();
            } catch (const boost::system::system_error& e) {
                if (e.code() != asio::error::operation_aborted)
                    spdlog::error("event stream failed: {}", e.what());
                co_return false;
            } catch (const std::exception& e) {
                // The head is out; the only honest signal left is a truncated stream.
                spdlog::error("event stream failed: {}", e.what());
                co_return false;
            }
            if (!chunk)
                break;
            if (chunk->empty())
                continue;
            std::string prefix;
            auto buffers = frame_chunk(*chunk, chunked, prefix);
            deadline_.expires_after(env_.cfg.write_timeout);
            auto [ec, n] = co_await asio::async_write(socket_, buffers, use_tuple);
            if (ec)
                co_return false;
            reply.stream->sent(*chunk);
        }
        reply.stream.reset();
        if (chunked) {
            deadline_.expires_after(env_.cfg.write_timeout);
            auto [ec, n] =
                co_await asio::async_write(socket_, asio::buffer(last_chunk.data(), last_chunk.size()), use_tuple);
            if (ec)
                co_return false;
        }
        co_return keep_alive;
    }

    asio::ip::tcp::socket socket_;
    connection_deadline deadline_;
    // Persists across requests: it may already hold the next pipelined request.
    beast::flat_buffer buffer_;
    session_env& env_;
    std::shared_ptr<session_handle> handle_;
    asio::ip::address peer_;
    std::string peer_text_;
    bool unread_body_ = false; // a refused body is still on its way
};

} // namespace

asio::awaitable<void> run_session(asio::ip::tcp::socket socket, session_env& env,
                                  std::shared_ptr<session_handle> handle)
{
    connection c(std::move(socket), env, std::move(handle));
    co_await c.serve();
}

} // namespace chatkit::server
