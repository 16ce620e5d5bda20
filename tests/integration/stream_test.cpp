// Streaming replies pass through the whole chain, are flushed event by event,
// and survive a graceful shutdown.
#include "support/http_client.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

std::int64_t now_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct received_event {
    boost::json::value data;
    std::int64_t received_us;
};

// Reads SSE frames from a chunked body until the last chunk; one frame may
// span chunks and one chunk may hold several frames.
std::vector<received_event> read_events(connection& c, bool* ended, std::chrono::milliseconds timeout = 10s)
{
    std::vector<received_event> events;
    std::string pending;
    *ended = false;
    while (auto chunk = c.read_chunk(timeout)) {
        if (chunk->empty()) {
            *ended = true;
            break;
        }
        pending += *chunk;
        for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
            auto frame = pending.substr(0, end);
            pending.erase(0, end + 2);
            auto data_at = frame.find("data: ");
            if (data_at != std::string::npos)
                events.push_back({boost::json::parse(frame.substr(data_at + 6)), now_us()});
        }
    }
    return events;
}

std::string stream_request(int count, int interval_ms, const std::string& extra_headers = {})
{
    return "GET /api/v1/test/stream?count=" + std::to_string(count) + "&interval_ms=" + std::to_string(interval_ms) +
           " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n" + extra_headers + "\r\n";
}

} // namespace

TEST(stream, passes_through_the_whole_chain)
{
    server_process p({}, dev_env());
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();

    connection c(*port);
    c.send(stream_request(3, 50, "Origin: http://localhost:8000\r\nX-Request-ID: stream-rid-1\r\n"));
    auto head = c.read_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200u);
    EXPECT_EQ(head->header("content-type"), "text/event-stream");
    EXPECT_EQ(head->header("x-accel-buffering"), "no");
    EXPECT_EQ(head->header("access-control-allow-origin"), "http://localhost:8000");
    EXPECT_EQ(head->header("x-request-id"), "stream-rid-1");
    EXPECT_EQ(head->header("x-content-type-options"), "nosniff");
    EXPECT_EQ(head->header("x-frame-options"), "DENY");
    EXPECT_FALSE(head->header("content-security-policy").empty());
    EXPECT_FALSE(head->has("content-encoding"));

    bool ended = false;
    auto events = read_events(c, &ended);
    EXPECT_TRUE(ended);
    ASSERT_EQ(events.size(), 3u);
    for (std::size_t i = 0; i < events.size(); ++i)
        EXPECT_EQ(events[i].data.at("n"), static_cast<std::int64_t>(i));
    EXPECT_EQ(events[1].data.at("text"), "line one\nline two\r\nevent: x") << "multi-line content survives framing";

    // The connection stays usable after the stream.
    c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto after = c.read_response();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200u);
}

TEST(stream, each_event_reaches_the_client_before_the_next_is_produced)
{
    server_process p({}, dev_env());
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();

    connection c(*port);
    c.send(stream_request(5, 300));
    ASSERT_TRUE(c.read_head());
    bool ended = false;
    auto events = read_events(c, &ended);
    ASSERT_EQ(events.size(), 5u);
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
        auto next_produced = events[i + 1].data.at("produced_at_us").as_int64();
        EXPECT_LT(events[i].received_us, next_produced) << "event " << i << " was held back until the next existed";
    }
}

TEST(stream, sigterm_lets_an_open_stream_finish_then_exits_zero)
{
    server_process p({}, dev_env());
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();

    connection idle(*port);
    idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(idle.read_response());

    connection c(*port);
    c.send(stream_request(8, 100));
    ASSERT_TRUE(c.read_head());
    auto first = c.read_chunk();
    ASSERT_TRUE(first && !first->empty());

    p.signal(SIGTERM);
    EXPECT_TRUE(idle.closed_by_peer(3s)) << "idle keep-alive connections are closed at once";

    bool ended = false;
    auto rest = read_events(c, &ended);
    EXPECT_TRUE(ended) << "the stream ends properly with its last chunk";
    EXPECT_EQ(rest.size(), 7u);
    EXPECT_EQ(p.wait_exit(10s), 0) << p.output();
    EXPECT_NE(p.output().find("draining"), std::string::npos);
}

TEST(stream, drain_timeout_cuts_streams_that_would_not_finish)
{
    auto env = dev_env();
    env["DRAIN_TIMEOUT"] = "500ms";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();

    connection c(*port);
    c.send(stream_request(1000, 100));
    ASSERT_TRUE(c.read_head());
    ASSERT_TRUE(c.read_chunk());
    p.signal(SIGTERM);
    bool ended = false;
    auto rest = read_events(c, &ended, 5s);
    EXPECT_FALSE(ended);
    EXPECT_LT(rest.size(), 50u);
    EXPECT_EQ(p.wait_exit(10s), 0) << p.output();
}

TEST(stream, open_streams_are_visible_in_metrics)
{
    server_process p({}, dev_env());
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    connection c(*port);
    c.send(stream_request(20, 100));
    ASSERT_TRUE(c.read_head());
    ASSERT_TRUE(c.read_chunk());
    auto metrics = request(*port, "GET", "/metrics");
    EXPECT_NE(metrics.body.find("chatkit_sse_open_streams 1"), std::string::npos) << metrics.body;
}

namespace {

long rss_kib(int pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:"))
            return std::stol(line.substr(6));
    return -1;
}

} // namespace

TEST(stream, a_reader_that_stops_reading_is_dropped_without_growing_memory)
{
    auto env = dev_env();
    env["WRITE_TIMEOUT"] = "1s";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    auto before = rss_kib(p.pid());

    // 1,000 events of 256 KiB, as fast as they can go: 250 MiB if buffered.
    connection stalled(*port);
    auto head = stream_request(1000, 0);
    head.replace(head.find("interval_ms=0"), 13, "interval_ms=0&padding=262144");
    stalled.send(head);
    ASSERT_TRUE(stalled.read_head());
    // Never read again: the server's write deadline must give up on us.
    auto started = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(3s);
    auto during = rss_kib(p.pid());
    EXPECT_LT(during - before, 64 * 1024) << "server memory grew with the unread stream";

    // Meanwhile the server serves others normally.
    EXPECT_EQ(request(*port, "GET", "/health").status, 200u);
    // The socket was closed by the server: reading everything left ends in EOF.
    EXPECT_TRUE(stalled.closed_by_peer(20s));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 25s);
}
