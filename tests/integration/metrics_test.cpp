// /metrics as Prometheus reads it: a real server after real traffic (answers
// streamed and cancelled, 429s, errors, methods nobody defined, an upstream
// model that answers and one that refuses), its exposition checked by
// promtool, Prometheus's own linter.
#include "support/api.hpp"
#include "support/promtool.hpp"
#include "support/server_process.hpp"
#include "support/sse.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>

using namespace chatkit::test;

namespace {

// The value of the one sample `series` (name and labels as written), or -1.
double sample(const std::string& exposition, const std::string& series)
{
    auto at = exposition.find("\n" + series + " ");
    if (at == std::string::npos)
        return -1;
    return std::stod(exposition.substr(at + series.size() + 2));
}

class metrics_exposition : public ::testing::Test {
protected:
    void SetUp() override
    {
        // Whether promtool runs at all, before any server starts.
        if (!promtool_check(""))
            GTEST_SKIP() << "promtool not found; set PROMTOOL or run ./scripts/test";
        const char* script = std::getenv("CHATKIT_FAKE_UPSTREAM");
        ASSERT_NE(script, nullptr) << "run through meson test";
        upstream_ = std::make_unique<server_process>(
            std::vector<std::string>{script, "--port", "0", "--token-delay", "0.05", "--first-token-delay", "0"},
            std::map<std::string, std::string>{}, "/usr/bin/python3");
        auto port = upstream_->wait_until_listening();
        ASSERT_TRUE(port) << upstream_->output();
        upstream_port_ = *port;
    }

    // A server whose model is the fake upstream under `mode_prefix`.
    std::uint16_t start(const std::string& mode_prefix, std::map<std::string, std::string> extra = {})
    {
        auto env = dev_env();
        env["LLM_BASE_URL"] = "http://127.0.0.1:" + std::to_string(upstream_port_) + mode_prefix + "/v1";
        env["LLM_MODEL"] = "fake-model";
        for (auto& [k, v] : extra)
            env[k] = v;
        servers_.push_back(std::make_unique<server_process>(std::vector<std::string>{}, env));
        auto port = servers_.back()->wait_until_listening();
        EXPECT_TRUE(port) << servers_.back()->output();
        return port.value_or(0);
    }

    std::unique_ptr<server_process> upstream_;
    std::uint16_t upstream_port_ = 0;
    std::vector<std::unique_ptr<server_process>> servers_;
};

} // namespace

TEST_F(metrics_exposition, real_traffic_passes_promtool_with_bounded_labels_and_upstream_series)
{
    // Day windows: a minute window could roll over mid-test and let one more in.
    auto port = start("", {{"RATE_ANONYMOUS", "100/day"}, {"RATE_ANONYMOUS_IP", "6/day"}});
    ASSERT_NE(port, 0);

    // Odd methods, unknown paths, refused bodies (two of the six chat requests
    // the per-IP limit lets through: the limit is checked first).
    EXPECT_EQ(request(port, "GET", "/health").status, 200u);
    EXPECT_EQ(request(port, "GET", "/api/v1/nothing-here").status, 404u);
    EXPECT_EQ(request(port, "DELETE", "/health").status, 405u);
    for (int i = 0; i < 50; ++i)
        static_cast<void>(request(port, std::string("BREW").append(std::to_string(i)), "/health"));
    static_cast<void>(request(port, "BREW", "/api/v1/nothing-here"));
    EXPECT_EQ(call(port, "POST", "/api/v1/chat", "{not json").status(), 400u);
    EXPECT_EQ(request(port, "POST", "/api/v1/chat", {{"Content-Type", "text/plain"}}, "hi").status, 415u);

    // Four answers: streamed, whole, and one cancelled.
    auto streamed = start_stream(port, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
    ASSERT_EQ(streamed.head.status, 200u);
    sse_reader reader(*streamed.conn);
    auto all = read_all(reader);
    ASSERT_TRUE(all.ended);
    EXPECT_EQ(all.events.back().event, "done");
    EXPECT_EQ(call(port, "POST", "/api/v1/chat", ask("What is embodied AI?")).status(), 200u);
    EXPECT_EQ(call(port, "POST", "/api/v1/chat", ask("What is embodied AI?")).status(), 200u);
    auto partial = read_then_drop(port, "What is embodied AI?", 2);
    EXPECT_EQ(call(port, "POST", "/api/v1/chat/" + partial.message_id() + "/cancel").status(), 204u);

    // Past the limit: 429s, each under its route.
    EXPECT_EQ(call(port, "POST", "/api/v1/chat", ask("hi")).status(), 429u);
    EXPECT_EQ(start_stream(port, "POST", "/api/v1/chat/stream", ask("hi"), {}).head.status, 429u);

    // The cancelled answer's upstream request ends shortly after the cancel.
    std::string text;
    for (int i = 0; i < 100; ++i) {
        text = request(port, "GET", "/metrics").body;
        if (sample(text, R"(chatkit_upstream_requests_total{outcome="cancelled",status_class="2xx"})") >= 1)
            break;
        ::usleep(50'000);
    }

    auto verdict = promtool_check(text).value();
    EXPECT_EQ(verdict.status, 0) << verdict.findings << "\n" << text;
    EXPECT_EQ(verdict.findings, "") << text;

    EXPECT_EQ(sample(text, R"(chatkit_http_requests_total{method="POST",route="/api/v1/chat",status="429"})"), 1)
        << text;
    EXPECT_EQ(sample(text, R"(chatkit_http_requests_total{method="POST",route="/api/v1/chat/stream",status="429"})"),
              1);
    EXPECT_EQ(text.find(R"(route="unmatched",status="429")"), std::string::npos) << "a 429 counts under its route";
    EXPECT_EQ(sample(text, R"(chatkit_http_requests_total{method="OTHER",route="unmatched",status="405"})"), 50)
        << "an undefined method is OTHER";
    EXPECT_EQ(sample(text, R"(chatkit_http_requests_total{method="OTHER",route="unmatched",status="404"})"), 1);
    EXPECT_EQ(text.find("BREW"), std::string::npos);
    EXPECT_EQ(sample(text, R"(chatkit_http_requests_total{method="POST",route="/api/v1/chat",status="400"})"), 1);
    EXPECT_EQ(sample(text, R"(chatkit_http_requests_total{method="POST",route="/api/v1/chat",status="415"})"), 1);

    EXPECT_EQ(sample(text, R"(chatkit_upstream_requests_total{outcome="ok",status_class="2xx"})"), 3) << text;
    EXPECT_EQ(sample(text, R"(chatkit_upstream_requests_total{outcome="cancelled",status_class="2xx"})"), 1);
    EXPECT_EQ(sample(text, R"(chatkit_upstream_requests_total{outcome="error",status_class="5xx"})"), 0);
    EXPECT_EQ(sample(text, "chatkit_upstream_time_to_first_token_seconds_count"), 4);
    EXPECT_EQ(sample(text, "chatkit_upstream_request_duration_seconds_count"), 4);
    EXPECT_GT(sample(text, "chatkit_upstream_tokens_total"), 3 * 15);
    EXPECT_GT(sample(text, "chatkit_upstream_received_bytes_total"), sample(text, "chatkit_upstream_tokens_total"));
    EXPECT_EQ(sample(text, "chatkit_sse_open_streams"), 0) << "every stream closed";
}

TEST_F(metrics_exposition, upstream_refusals_count_by_status_class)
{
    auto port = start("/status/503");
    ASSERT_NE(port, 0);
    auto answer = call(port, "POST", "/api/v1/chat", ask("What is embodied AI?"));
    EXPECT_GE(answer.status(), 500u);
    auto text = request(port, "GET", "/metrics").body;
    auto verdict = promtool_check(text).value();
    EXPECT_EQ(verdict.status, 0) << verdict.findings;
    EXPECT_EQ(verdict.findings, "");
    EXPECT_EQ(sample(text, R"(chatkit_upstream_requests_total{outcome="error",status_class="5xx"})"), 1) << text;
    EXPECT_EQ(sample(text, R"(chatkit_upstream_requests_total{outcome="ok",status_class="2xx"})"), 0);
    EXPECT_EQ(sample(text, "chatkit_upstream_time_to_first_token_seconds_count"), 0);
    EXPECT_EQ(sample(text, "chatkit_upstream_request_duration_seconds_count"), 1);
}
