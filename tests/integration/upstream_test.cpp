// The upstream generator against examples/fake_upstream.py, which speaks the
// real OpenAI streaming wire format and logs how each request ended.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/sse.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

const std::string full_answer =
    "Embodied AI studies agents that learn by acting [1]. They perceive through sensors [2] and caf\xC3\xA9 robots "
    "serve coffee.";

// A loopback port that takes no more connections: its accept queue is full
// and never drained, so the kernel drops further SYNs, as from a host behind
// a firewall that drops packets. `full` is whether a connect now hangs.
struct blackhole {
    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    std::vector<int> queued;
    std::uint16_t port = 0;
    bool full = false;

    blackhole()
    {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof a;
        if (::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener, 0) != 0 ||
            ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &length) != 0)
            return;
        port = ntohs(a.sin_port);
        for (int i = 0; i < 8 && !full; ++i) {
            int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            queued.push_back(s);
            ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
            pollfd p{s, POLLOUT, 0};
            full = ::poll(&p, 1, 300) == 0;
        }
    }
    ~blackhole()
    {
        for (int s : queued)
            ::close(s);
        ::close(listener);
    }
};

class upstream : public ::testing::Test {
protected:
    void SetUp() override
    {
        char path[] = "/tmp/chatkit-upstream-XXXXXX";
        ::close(::mkstemp(path));
        log_ = path;
        start_fake({});
    }
    void start_fake(std::vector<std::string> extra)
    {
        const char* script = std::getenv("CHATKIT_FAKE_UPSTREAM");
        ASSERT_NE(script, nullptr) << "run through meson test";
        std::vector<std::string> args{
            script, "--port", "0", "--log", log_, "--token-delay", "0.15", "--first-token-delay", "2"};
        args.insert(args.end(), extra.begin(), extra.end());
        fake_ = std::make_unique<server_process>(args, std::map<std::string, std::string>{}, "/usr/bin/python3");
        auto port = fake_->wait_until_listening();
        ASSERT_TRUE(port) << fake_->output();
        upstream_port_ = *port;
    }
    void TearDown() override
    {
        if (HasFailure() && server_)
            std::fprintf(stderr, "--- server ---\n%s\n--- upstream log ---\n%s\n", server_->output().c_str(),
                         log_text().c_str());
        ::unlink(log_.c_str());
    }

    void start(const std::string& mode_prefix, std::map<std::string, std::string> extra = {})
    {
        auto env = dev_env();
        env["LLM_BASE_URL"] = "http://127.0.0.1:" + std::to_string(upstream_port_) + mode_prefix + "/v1";
        env["LLM_MODEL"] = "fake-model";
        env["LLM_API_KEY"] = "sk-test-key";
        for (auto& [k, v] : extra)
            env[k] = v;
        server_ = std::make_unique<server_process>(std::vector<std::string>{}, env);
        auto port = server_->wait_until_listening();
        ASSERT_TRUE(port) << server_->output();
        port_ = *port;
    }

    std::string log_text() const
    {
        std::ifstream in(log_);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    // The upstream log's records of one kind.
    std::vector<boost::json::value> records(const std::string& event) const
    {
        std::vector<boost::json::value> out;
        std::ifstream in(log_);
        std::string line;
        while (std::getline(in, line))
            if (auto v = boost::json::parse(line); v.at("event") == event.c_str())
                out.push_back(v);
        return out;
    }

    // The client ports the upstream saw requests from, one per request.
    std::vector<std::int64_t> request_peers() const
    {
        std::vector<std::int64_t> out;
        for (auto& r : records("request"))
            out.push_back(r.at("peer").as_int64());
        return out;
    }
    bool idle_upstream_connections_reach(int n) const
    {
        auto line = "chatkit_upstream_idle_connections " + std::to_string(n) + "\n";
        for (int i = 0; i < 50; ++i) {
            if (request(port_, "GET", "/metrics").body.find(line) != std::string::npos)
                return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    collected stream(const std::string& question, int stop_after = -1, std::string* message_id = nullptr)
    {
        auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask(question), {});
        EXPECT_EQ(s.head.status, 200u);
        sse_reader reader(*s.conn);
        auto r = read_all(reader, stop_after < 0 ? 100000 : std::size_t(stop_after));
        if (message_id && !r.events.empty())
            *message_id = r.events.front().id.substr(0, r.events.front().id.find(':'));
        return r;
    }

    std::unique_ptr<server_process> fake_, server_;
    std::string log_;
    std::uint16_t upstream_port_ = 0, port_ = 0;
};

} // namespace

TEST_F(upstream, streams_the_models_tokens_grounded_on_retrieved_sources)
{
    start("");
    auto r = stream("What is embodied AI?");
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.front().event, "sources");
    EXPECT_EQ(r.events.back().event, "done");
    EXPECT_EQ(r.text, full_answer);
    EXPECT_EQ(r.events.back().data.at("metadata").at("model"), "fake-model");
    auto requests = records("request");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].at("authorization"), "Bearer sk-test-key");
    EXPECT_EQ(requests[0].at("model"), "fake-model");
    EXPECT_EQ(requests[0].at("stream"), true);
    EXPECT_EQ(requests[0].at("max_tokens"), 1024) << "the model is told where to stop";
    auto user = std::string(requests[0].at("messages").at(1).at("content").as_string());
    EXPECT_NE(user.find("[1] Embodied AI"), std::string::npos) << user;
}

TEST_F(upstream, a_follow_up_reaches_the_model_with_the_earlier_turn)
{
    start("");
    auto token = call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token");
    boost::json::object conversation{{"session_id", "550e8400-e29b-41d4-a716-446655440001"}};
    auto first = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?", conversation), token);
    ASSERT_EQ(first.status(), 200u);
    EXPECT_EQ(records("request").at(0).at("request_id").as_string(), first.raw.header("x-request-id").c_str())
        << "the model provider's logs name the same request";
    // The turn reaches the history in the journal's next batch.
    ASSERT_TRUE(eventually(
        [&] {
            return call(port_, "GET", "/api/v1/chat/history", {}, token).raw.body.find(full_answer.substr(0, 20)) !=
                   std::string::npos;
        },
        5s));
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask("and why does it matter?", conversation), token).status(), 200u);
    auto requests = records("request");
    ASSERT_EQ(requests.size(), 2u);
    auto& messages = requests[1].at("messages").as_array();
    ASSERT_EQ(messages.size(), 4u) << requests[1];
    EXPECT_NE(messages[1].at("content").as_string().find("What is embodied AI?"), std::string::npos);
    EXPECT_EQ(messages[2].at("role"), "assistant");
    EXPECT_EQ(messages[2].at("content").as_string(),
              "Embodied AI studies agents that learn by acting. They perceive through sensors and caf\xC3\xA9 robots "
              "serve coffee.")
        << "the earlier answer, without its citations";
    EXPECT_NE(messages[3].at("content").as_string().find("and why does it matter?"), std::string::npos);

    auto other = call(port_, "POST", "/api/v1/chat",
                      ask("and why does it matter?", {{"session_id", "550e8400-e29b-41d4-a716-446655440002"}}), token);
    ASSERT_EQ(other.status(), 200u);
    EXPECT_EQ(records("request").at(2).at("messages").as_array().size(), 2u) << "another conversation starts afresh";

    auto stranger = call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token");
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask("and why does it matter?", conversation), stranger).status(),
              200u);
    EXPECT_EQ(records("request").at(3).at("messages").as_array().size(), 2u)
        << "another reader's conversation of the same id is theirs alone";
}

namespace {

// Two sections about quokkas: one longer than any excerpt or former per-source
// cut (4000 bytes), whose last sentence shows it went in whole, and one short.
struct quokka_corpus {
    std::string dir;
    quokka_corpus()
    {
        char path[] = "/tmp/chatkit-quokkas-XXXXXX";
        if (::mkdtemp(path) == nullptr)
            return;
        dir = path;
        std::ofstream page(dir + "/quokkas.md");
        page << "# Quokkas\n\n## What quokkas eat\n\nQuokkas eat leaves, grasses and stems.";
        for (int i = 1; i <= 120; ++i)
            page << " On island " << i << " quokkas eat the leaves of plant " << i << ".";
        page << "\n\nQuokkas never drink from the sea.\n\n## When quokkas nap\n\n"
             << "Quokkas nap in the shade by day and eat at night.\n";
    }
    ~quokka_corpus() { std::filesystem::remove_all(dir); }
    quokka_corpus(const quokka_corpus&) = delete;
    quokka_corpus& operator=(const quokka_corpus&) = delete;
};

// The model cites source 2, then 1, then a source 7 it was never given; a
// citation arrives split across tokens.
const std::vector<std::string> scripted_answer{
    "--answer", R"(["Quokkas nap by day", " [2", "]", " and eat leaves [", "1", "]", " [", "7", "]."])"};

} // namespace

TEST_F(upstream, the_model_reads_the_earlier_turn_and_whole_sections_and_its_invalid_citations_are_removed)
{
    quokka_corpus corpus;
    ASSERT_FALSE(corpus.dir.empty());
    start_fake(scripted_answer);
    start("", {{"CORPUS_DIR", corpus.dir}});
    auto token = call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token");
    boost::json::object conversation{{"session_id", "550e8400-e29b-41d4-a716-446655440003"}};
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask("When do quokkas nap?", conversation), token).status(), 200u);
    ASSERT_TRUE(eventually(
        [&] {
            auto messages = call(port_, "GET", "/api/v1/chat/history", {}, token).json.at("messages").as_array();
            return messages.size() == 2 && messages[1].at("status") == "complete";
        },
        5s));

    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What do quokkas eat?", conversation),
                          {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(s.head.status, 200u);
    sse_reader reader(*s.conn);
    auto r = read_all(reader);
    ASSERT_FALSE(r.events.empty());
    ASSERT_EQ(r.events.front().event, "sources");
    ASSERT_EQ(r.events.front().data.at("sources").as_array().size(), 2u) << "both sections answer";
    ASSERT_EQ(r.events.back().event, "done");
    EXPECT_EQ(r.text, "Quokkas nap by day [2] and eat leaves [1].") << "[7] named no source the model was given";
    EXPECT_EQ(r.events.back().data.at("metadata").at("cited"), boost::json::parse("[2, 1]"));

    auto requests = records("request");
    ASSERT_EQ(requests.size(), 2u);
    auto& messages = requests[1].at("messages").as_array();
    ASSERT_EQ(messages.size(), 4u) << requests[1];
    EXPECT_NE(messages[1].at("content").as_string().find("When do quokkas nap?"), std::string::npos);
    EXPECT_EQ(messages[2].at("content"), "Quokkas nap by day and eat leaves.") << "the earlier answer, uncited";
    auto prompt = std::string(messages[3].at("content").as_string());
    EXPECT_NE(prompt.find("On island 120 quokkas eat the leaves of plant 120.\n\nQuokkas never drink from the sea."),
              std::string::npos)
        << "the long section whole: " << prompt;
    EXPECT_NE(prompt.find("Quokkas nap in the shade by day and eat at night."), std::string::npos);
    EXPECT_NE(prompt.find("<question>\nWhat do quokkas eat?\n</question>"), std::string::npos);
}

TEST_F(upstream, a_whole_answer_lists_the_sources_it_cites_first_and_its_stream_keeps_their_numbers)
{
    quokka_corpus corpus;
    ASSERT_FALSE(corpus.dir.empty());
    start_fake(scripted_answer);
    start("", {{"CORPUS_DIR", corpus.dir}});
    auto token = call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token");
    const std::string question = "What do quokkas eat?";
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask(question), {{"Authorization", "Bearer " + token}});
    sse_reader reader(*s.conn);
    auto streamed = read_all(reader);
    ASSERT_FALSE(streamed.events.empty());
    auto stream_sources = streamed.events.front().data.at("sources").as_array();
    ASSERT_EQ(stream_sources.size(), 2u);
    EXPECT_EQ(streamed.text, "Quokkas nap by day [2] and eat leaves [1].");

    boost::json::array messages;
    ASSERT_TRUE(eventually(
        [&] {
            messages = call(port_, "GET", "/api/v1/chat/history", {}, token).json.at("messages").as_array();
            return messages.size() == 2 && messages[1].at("status") == "complete";
        },
        5s));
    EXPECT_EQ(messages[1].at("content"), "Quokkas nap by day [1] and eat leaves [2].") << "renumbered";
    EXPECT_EQ(messages[1].at("sources"), (boost::json::array{stream_sources[1], stream_sources[0]}));

    auto whole = call(port_, "POST", "/api/v1/chat", ask(question));
    ASSERT_EQ(whole.status(), 200u);
    EXPECT_EQ(whole.str("answer"), "Quokkas nap by day [1] and eat leaves [2].");
    EXPECT_EQ(whole.json.at("sources").as_array().at(0).at("id"), stream_sources[1].at("id"));
    EXPECT_EQ(whole.json.at("metadata").at("cited"), boost::json::parse("[1, 2]"));
}

TEST_F(upstream, multibyte_characters_split_across_chunks_arrive_whole)
{
    start("/split");
    EXPECT_EQ(stream("What is embodied AI?").text, full_answer);
}

TEST_F(upstream, content_with_newlines_cannot_break_the_framing)
{
    start("/crlf");
    auto r = stream("What is embodied AI?");
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.back().event, "done");
    EXPECT_NE(r.text.find(" AI\nevent: done\r\ndata: forged"), std::string::npos);
    int done = 0;
    for (auto& e : r.events)
        done += e.event == "done";
    EXPECT_EQ(done, 1);
}

TEST_F(upstream, malformed_or_dropped_upstream_streams_end_with_an_error_event)
{
    for (const char* mode : {"/malformed", "/fail"}) {
        start(mode);
        auto r = stream("What is embodied AI?");
        ASSERT_FALSE(r.events.empty()) << mode;
        EXPECT_EQ(r.events.back().event, "error") << mode;
        EXPECT_EQ(r.events.back().data.at("error").at("code"), "GENERATION_FAILED");
        EXPECT_EQ(r.events.back().data.at("error").at("message").as_string().find("upstream"), std::string::npos)
            << "no internals in the error event";
    }
}

TEST_F(upstream, refusing_or_unreachable_models_are_502_and_an_error_event_with_the_status_logged)
{
    const std::string question = R"({"message": "What is embodied AI?"})";
    for (int status : {401, 403, 429, 500, 503}) {
        start("/status/" + std::to_string(status));
        auto r = call(port_, "POST", "/api/v1/chat", question);
        EXPECT_EQ(r.status(), 502u) << status << " " << r.raw.body;
        EXPECT_EQ(r.error_code(), "GENERATION_FAILED") << status;
        auto s = stream("What is embodied AI?");
        ASSERT_FALSE(s.events.empty());
        EXPECT_EQ(s.events.back().data.at("error").at("code"), "GENERATION_FAILED") << status;
        auto log = server_->output();
        EXPECT_NE(log.find("HTTP " + std::to_string(status)), std::string::npos) << "the status is logged:\n" << log;
        EXPECT_EQ(log.find("upstream-secret-body"), std::string::npos) << "never the upstream's body";
        EXPECT_EQ(log.find("sk-test-key"), std::string::npos) << "never the key";
    }
    fake_.reset(); // nothing listens on its port any more
    start("");
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat", question).status(), 502u) << "unreachable";
}

TEST_F(upstream, a_model_that_never_accepts_the_connection_fails_within_the_connect_deadline)
{
    blackhole hole;
    ASSERT_TRUE(hole.full) << "the kernel accepted every connection; no blackhole to test against";
    auto env = dev_env();
    env["LLM_BASE_URL"] = "http://127.0.0.1:" + std::to_string(hole.port) + "/v1";
    env["LLM_MODEL"] = "fake-model";
    env["LLM_CONNECT_TIMEOUT"] = "500ms";
    server_ = std::make_unique<server_process>(std::vector<std::string>{}, env);
    auto port = server_->wait_until_listening();
    ASSERT_TRUE(port) << server_->output();
    port_ = *port;
    auto started = std::chrono::steady_clock::now();
    auto r = call(port_, "POST", "/api/v1/chat", R"({"message": "What is embodied AI?"})");
    EXPECT_EQ(r.status(), 502u) << r.raw.body;
    EXPECT_EQ(r.error_code(), "GENERATION_FAILED");
    // The deadline is 0.5 s; without one, the kernel's SYN retries take minutes.
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(upstream, an_answer_past_its_cap_ends_with_an_error_and_closes_the_upstream)
{
    start("/flood", {{"LLM_MAX_ANSWER_BYTES", "65536"}});
    auto r = stream("What is embodied AI?");
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.back().event, "error");
    EXPECT_EQ(r.events.back().data.at("error").at("code"), "ANSWER_TOO_LONG");
    EXPECT_LE(r.text.size(), 65536u);
    EXPECT_TRUE(eventually([&] { return !records("client_closed").empty(); }, 5s)) << "the upstream request ended";
}

TEST_F(upstream, a_silent_upstream_hits_the_first_token_timeout)
{
    start("/slow", {{"LLM_FIRST_TOKEN_TIMEOUT", "400ms"}});
    auto started = std::chrono::steady_clock::now();
    auto r = stream("What is embodied AI?");
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.back().event, "error");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1900ms);
}

TEST_F(upstream, cancel_closes_the_upstream_request_at_once)
{
    start("");
    std::string id;
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
    sse_reader reader(*s.conn);
    for (int i = 0; i < 3; ++i) {
        auto e = reader.next();
        ASSERT_TRUE(e);
        id = e->id.substr(0, e->id.find(':'));
    }
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat/" + id + "/cancel").status(), 204u);
    std::vector<boost::json::value> closed;
    for (int i = 0; i < 40 && closed.empty(); ++i) {
        std::this_thread::sleep_for(50ms);
        closed = records("client_closed");
    }
    ASSERT_EQ(closed.size(), 1u) << "the fake upstream saw its client go away";
    EXPECT_LT(closed[0].at("tokens").as_int64(), 10) << "no more tokens were produced";
    EXPECT_TRUE(records("finished").empty());
}

TEST_F(upstream, a_client_disconnect_alone_does_not_stop_the_upstream)
{
    start("");
    stream("What is embodied AI?", 3);
    std::vector<boost::json::value> finished;
    for (int i = 0; i < 60 && finished.empty(); ++i) {
        std::this_thread::sleep_for(100ms);
        finished = records("finished");
    }
    EXPECT_EQ(finished.size(), 1u) << "the answer went on for a later resume";
    EXPECT_TRUE(records("client_closed").empty());
}

TEST_F(upstream, an_abandoned_answer_closes_the_upstream)
{
    start("", {{"ANSWER_ABANDON_TIMEOUT", "300ms"}});
    stream("What is embodied AI?", 3);
    std::vector<boost::json::value> closed;
    for (int i = 0; i < 40 && closed.empty(); ++i) {
        std::this_thread::sleep_for(100ms);
        closed = records("client_closed");
    }
    EXPECT_EQ(closed.size(), 1u);
}

// Connections are pooled per I/O thread; with one thread every answer can
// take the connection the previous one left.
TEST_F(upstream, answers_reuse_a_kept_alive_upstream_connection)
{
    start("", {{"THREADS", "1"}});
    EXPECT_EQ(stream("What is embodied AI?").text, full_answer);
    ASSERT_TRUE(idle_upstream_connections_reach(1));
    EXPECT_EQ(stream("What is embodied AI?").text, full_answer);
    auto peers = request_peers();
    ASSERT_EQ(peers.size(), 2u);
    EXPECT_EQ(peers[0], peers[1]) << "one TCP connection carried both requests";
}

TEST_F(upstream, a_response_that_ends_after_its_done_line_still_returns_its_connection)
{
    start("/tail", {{"THREADS", "1"}});
    auto first = stream("What is embodied AI?");
    ASSERT_FALSE(first.events.empty());
    EXPECT_EQ(first.events.back().event, "done");
    ASSERT_TRUE(idle_upstream_connections_reach(1)) << "the trailing end of the body was read apart from the answer";
    EXPECT_EQ(stream("What is embodied AI?").text, full_answer);
    auto peers = request_peers();
    ASSERT_EQ(peers.size(), 2u);
    EXPECT_EQ(peers[0], peers[1]);
}

TEST_F(upstream, a_connection_the_upstream_closed_while_idle_is_replaced_unnoticed)
{
    start_fake({"--idle-close", "0.3"});
    start("", {{"THREADS", "1"}});
    EXPECT_EQ(stream("What is embodied AI?").text, full_answer);
    ASSERT_TRUE(idle_upstream_connections_reach(1));
    std::this_thread::sleep_for(800ms); // past the upstream's 0.3 s keep-alive timeout
    auto second = stream("What is embodied AI?");
    EXPECT_EQ(second.text, full_answer);
    EXPECT_EQ(second.events.back().event, "done");
    auto peers = request_peers();
    ASSERT_EQ(peers.size(), 2u);
    EXPECT_NE(peers[0], peers[1]);
}

TEST_F(upstream, a_failed_upstream_connection_is_not_kept)
{
    start("/fail");
    auto r = stream("What is embodied AI?");
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.back().event, "error");
    EXPECT_TRUE(idle_upstream_connections_reach(0));
}
