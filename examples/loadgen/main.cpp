// chatkit-loadgen: simulates N concurrent widget users against a running
// chatkit-server (anonymous token -> streamed question -> done), or against
// an OpenAI-compatible upstream directly (--direct), and reports time to
// first token, tokens per second, errors and the server's peak RSS.
//
//   chatkit-loadgen --port 8000 --users 1000 --ramp 5 [--server-pid PID] [--anonymous-token no]
//
// --anonymous-token no asks without a session (limited per IP), which takes
// the session lookup out of the measured path.
//   chatkit-loadgen --port 9000 --users 1000 --direct /v1/chat/completions
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    int users = 100;
    double ramp_seconds = 5;
    std::string direct_path; // non-empty: talk to an upstream model directly
    int server_pid = 0;
    std::string question = "What is embodied AI?";
    bool anonymous_token = true;
};

struct stats {
    std::vector<double> ttft_ms;
    long long tokens = 0;
    int errors = 0;
    int completed = 0;
    int open = 0;
    int peak_open = 0;
    std::string first_error;
};

void fail(stats& s, std::string why)
{
    ++s.errors;
    if (s.first_error.empty())
        s.first_error = std::move(why);
}

// Reads one response head; returns it, leaving any body bytes in `buf`.
asio::awaitable<std::string> read_head(tcp::socket& sock, asio::streambuf& buf)
{
    auto n = co_await asio::async_read_until(sock, buf, "\r\n\r\n", asio::use_awaitable);
    std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(n));
    buf.consume(n);
    co_return head;
}

asio::awaitable<std::string> read_sized_body(tcp::socket& sock, asio::streambuf& buf, const std::string& head)
{
    auto at = head.find("Content-Length: ");
    std::size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
    if (buf.size() < length)
        co_await asio::async_read(sock, buf, asio::transfer_exactly(length - buf.size()), asio::use_awaitable);
    std::string body(asio::buffers_begin(buf.data()),
                     asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(length));
    buf.consume(length);
    co_return body;
}

asio::awaitable<void> user(const options& o, tcp::endpoint ep, stats& s)
{
    auto ex = co_await asio::this_coro::executor;
    try {
        tcp::socket sock(ex);
        co_await sock.async_connect(ep, asio::use_awaitable);
        asio::streambuf buf;
        std::string auth;
        if (o.direct_path.empty() && o.anonymous_token) {
            std::string req = "POST /api/v1/auth/anonymous HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
            co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
            auto head = co_await read_head(sock, buf);
            auto body = co_await read_sized_body(sock, buf, head);
            auto at = body.find("\"anon_token\":\"");
            if (head.find(" 200 ") == std::string::npos || at == std::string::npos) {
                fail(s, "anonymous: " + head.substr(0, head.find('\r')));
                co_return;
            }
            auth = "Authorization: Bearer " + body.substr(at + 14, 43) + "\r\n";
        }
        std::string body = o.direct_path.empty()
                               ? "{\"message\":\"" + o.question + "\"}"
                               : "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" +
                                     o.question + "\"}]}";
        std::string path = o.direct_path.empty() ? "/api/v1/chat/stream" : o.direct_path;
        std::string req = "POST " + path + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n" + auth +
                          "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
        auto sent = clock_type::now();
        co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
        auto head = co_await read_head(sock, buf);
        if (head.find(" 200 ") == std::string::npos) {
            fail(s, "stream: " + head.substr(0, head.find('\r')));
            co_return;
        }
        ++s.open;
        s.peak_open = std::max(s.peak_open, s.open);
        // Scan the raw bytes: chunk framing does not matter for counting
        // events, and a token marker never spans our reads of whole frames
        // for long (we keep the unscanned tail).
        const std::string token_marker = o.direct_path.empty() ? "event: token" : "\"content\"";
        const std::string end_marker = o.direct_path.empty() ? "event: done" : "[DONE]";
        std::string window;
        bool first = true, done = false;
        while (!done) {
            auto [ec, n] =
                co_await asio::async_read(sock, buf, asio::transfer_at_least(1), asio::as_tuple(asio::use_awaitable));
            if (ec)
                break;
            window.append(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
            buf.consume(buf.size());
            std::size_t pos = 0;
            while ((pos = window.find(token_marker, pos)) != std::string::npos) {
                if (first) {
                    s.ttft_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - sent).count());
                    first = false;
                }
                ++s.tokens;
                pos += token_marker.size();
            }
            done = window.find(end_marker) != std::string::npos || window.find("event: error") != std::string::npos;
            if (window.find("event: error") != std::string::npos)
                fail(s, "error event");
            auto keep = std::max(token_marker.size(), end_marker.size());
            if (window.size() > keep)
                window.erase(0, window.size() - keep);
        }
        --s.open;
        if (done)
            ++s.completed;
        else
            fail(s, "stream ended early");
    } catch (const std::exception& e) {
        fail(s, e.what());
    }
}

long peak_rss_kib(int pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmHWM:"))
            return std::stol(line.substr(6));
    return -1;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--host")
            o.host = v;
        else if (k == "--port")
            o.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--users")
            o.users = std::stoi(v);
        else if (k == "--ramp")
            o.ramp_seconds = std::stod(v);
        else if (k == "--direct")
            o.direct_path = v;
        else if (k == "--server-pid")
            o.server_pid = std::stoi(v);
        else if (k == "--question")
            o.question = v;
        else if (k == "--anonymous-token")
            o.anonymous_token = v != "no";
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 64;
        }
    }
    asio::io_context ctx(1);
    tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
    stats s;
    auto started = clock_type::now();
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer pace(ctx);
            auto gap = std::chrono::duration<double>(o.ramp_seconds / std::max(1, o.users));
            for (int i = 0; i < o.users; ++i) {
                asio::co_spawn(ctx, user(o, ep, s), asio::detached);
                if (o.ramp_seconds > 0) {
                    pace.expires_after(std::chrono::duration_cast<clock_type::duration>(gap));
                    co_await pace.async_wait(asio::use_awaitable);
                }
            }
        },
        asio::detached);
    ctx.run();
    auto seconds = std::chrono::duration<double>(clock_type::now() - started).count();
    std::printf("users %d  completed %d  errors %d  peak open streams %d\n", o.users, s.completed, s.errors,
                s.peak_open);
    std::printf("time to first token: p50 %.2f ms  p99 %.2f ms\n", percentile(s.ttft_ms, 0.5),
                percentile(s.ttft_ms, 0.99));
    std::printf("tokens %lld in %.1f s: %.0f tokens/s\n", s.tokens, seconds, static_cast<double>(s.tokens) / seconds);
    if (o.server_pid)
        std::printf("server peak RSS: %.1f MiB\n", static_cast<double>(peak_rss_kib(o.server_pid)) / 1024.0);
    if (!s.first_error.empty())
        std::printf("first error: %s\n", s.first_error.c_str());
    return s.errors == 0 ? 0 : 1;
}
