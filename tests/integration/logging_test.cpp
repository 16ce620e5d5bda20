// LOG_FORMAT=json: every line on stderr is one JSON object, PostgreSQL's
// notices included, and access lines carry their fields as fields.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <csignal>
#include <sstream>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

// Every line of `output` as a JSON object; a failure names the first line that is not.
std::vector<boost::json::object> json_lines(const std::string& output)
{
    std::vector<boost::json::object> out;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        EXPECT_TRUE(!ec && v.is_object()) << "not a JSON object: " << line;
        if (!ec && v.is_object())
            out.push_back(v.as_object());
    }
    return out;
}

} // namespace

TEST(logging, json_lines_are_json_with_access_fields_on_either_database)
{
    for (std::string backend : {"sqlite", "postgresql"}) {
        if (backend == "postgresql" && !postgres_admin_url())
            continue;
        auto env = dev_env();
        env["LOG_FORMAT"] = "json";
        env["DATABASE_URL"] = fresh_database(backend);
        env["BUILTIN_TOKEN_DELAY"] = "1ms";
        // Twice: the second start finds its tables, which PostgreSQL reports as NOTICEs.
        for (int run = 0; run < 2; ++run) {
            server_process p({}, env);
            auto port = p.wait_until_listening();
            ASSERT_TRUE(port) << p.output();
            ASSERT_EQ(call(*port, "GET", "/health").status(), 200u);
            auto s = start_stream(*port, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
            sse_reader reader(*s.conn);
            auto all = read_all(reader);
            ASSERT_TRUE(all.ended);
            s.conn.reset();
            call(*port, "GET", "/caf\xc3\xa9/\xff\x01");
            p.signal(SIGTERM);
            ASSERT_EQ(p.wait_exit(10s), 0);
            auto lines = json_lines(p.output());
            const boost::json::object* stream_line = nullptr;
            for (const auto& l : lines)
                if (l.contains("route") && l.at("route") == "/api/v1/chat/stream")
                    stream_line = &l;
            ASSERT_NE(stream_line, nullptr) << backend << ":\n" << p.output();
            EXPECT_EQ(stream_line->at("msg"), "access");
            EXPECT_EQ(stream_line->at("method"), "POST");
            EXPECT_EQ(stream_line->at("status"), 200);
            EXPECT_TRUE(stream_line->at("bytes").as_int64() > 100);
            EXPECT_TRUE(stream_line->at("duration_ms").is_double());
            EXPECT_EQ(stream_line->at("message_id").as_string().size(), 36u);
            EXPECT_EQ(stream_line->at("request_id").as_string().size(), 32u);
            EXPECT_EQ(stream_line->at("client_ip"), "127.0.0.1");
        }
    }
}

TEST(logging, json_start_up_refusals_are_json_too)
{
    auto env = production_env();
    env.erase("SECRET_KEY");
    env["LOG_FORMAT"] = "json";
    for (const char* command : {"serve", "check-config"}) {
        server_process p({command}, env);
        EXPECT_EQ(p.wait_exit(10s), 78) << p.output();
        auto lines = json_lines(p.output());
        ASSERT_EQ(lines.size(), 1u) << p.output();
        EXPECT_EQ(lines[0].at("level"), "error");
        EXPECT_NE(std::string(lines[0].at("msg").as_string()).find("refusing to start: SECRET_KEY"), std::string::npos);
    }
}

TEST(logging, a_terminated_notice_connection_leaves_no_raw_libpq_line)
{
    if (!postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto env = dev_env();
    env["DATABASE_URL"] = fresh_database("postgresql");
    env["LOG_FORMAT"] = "json";
    env["LOG_LEVEL"] = "debug";
    server_process p({}, env);
    ASSERT_TRUE(p.wait_until_listening()) << p.output();
    auto admin = open_database(*postgres_admin_url());
    int terminated = 0;
    for (int i = 0; i < 50 && terminated == 0; ++i) {
        *admin << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  "WHERE application_name = 'chatkit_session_notices'",
            soci::into(terminated);
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_GT(terminated, 0) << "the notice connection was never seen";
    EXPECT_TRUE(eventually([&] { return p.output().find("terminating connection") != std::string::npos; }, 5s))
        << "libpq's message reaches the log, as a record: " << p.output();
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(10s), 0);
    json_lines(p.output());
}
