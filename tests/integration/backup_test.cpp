// A backup taken while readers are asking restores with their sessions and
// history intact: SQLite's online backup (sqlite3's .backup) and pg_dump /
// pg_restore, as docs/operations.md tells operators to take them.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

class backup : public ::testing::TestWithParam<std::string> {};

std::string param_name(const ::testing::TestParamInfo<std::string>& info)
{
    return info.param;
}

int run(const std::string& command)
{
    return std::system(command.c_str());
}

} // namespace

TEST_P(backup, a_backup_taken_under_load_restores_with_sessions_and_history)
{
    const bool sqlite = GetParam() == "sqlite";
    if (!sqlite && !postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto env = dev_env();
    auto source = fresh_database(GetParam());
    env["DATABASE_URL"] = source;
    env["SECRET_KEY"] = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
    env["RATE_ANONYMOUS"] = "unlimited";
    env["RATE_ANONYMOUS_IP"] = "unlimited";
    env["RATE_ANONYMOUS_SESSIONS_IP"] = "unlimited";
    auto server = std::make_unique<server_process>(std::vector<std::string>{}, env);
    auto port = server->wait_until_listening();
    ASSERT_TRUE(port) << server->output();

    auto token = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
    ASSERT_EQ(call(*port, "POST", "/api/v1/chat", ask("What is embodied AI?"), token).status(), 200u);
    ASSERT_TRUE(eventually(
        [&] {
            return call(*port, "GET", "/api/v1/chat/history", {}, token).raw.body.find("embodied") != std::string::npos;
        },
        5s));

    // Load while the backup runs: new sessions and answers, written all along.
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::thread load([&] {
        while (!stop) {
            auto t = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
            if (call(*port, "POST", "/api/v1/chat", ask("How do sensors work?"), t).status() == 200u)
                ++answered;
        }
    });
    std::this_thread::sleep_for(300ms);
    std::string restored;
    if (sqlite) {
        auto path = source.substr(std::string("sqlite://").size());
        auto copy = path + ".backup";
        EXPECT_EQ(run("sqlite3 '" + path + "' \".backup '" + copy + "'\""), 0);
        restored = "sqlite://" + copy;
    } else {
        auto dump = "/tmp/chatkit-backup-" + std::to_string(::getpid()) + ".dump";
        EXPECT_EQ(run("pg_dump --format=custom --file='" + dump + "' '" + source + "'"), 0);
        restored = fresh_database("postgresql");
        EXPECT_EQ(run("pg_restore --no-owner --dbname='" + restored + "' '" + dump + "'"), 0);
        std::remove(dump.c_str());
    }
    stop = true;
    load.join();
    EXPECT_GT(answered.load(), 0) << "the backup ran under load";
    server.reset();

    env["DATABASE_URL"] = restored;
    server_process again({}, env);
    auto port2 = again.wait_until_listening();
    ASSERT_TRUE(port2) << again.output();
    EXPECT_EQ(call(*port2, "GET", "/api/v1/auth/session-check", {}, token).status(), 200u)
        << "the session lives on in the restored database";
    auto history = call(*port2, "GET", "/api/v1/chat/history", {}, token);
    EXPECT_NE(history.raw.body.find("What is embodied AI?"), std::string::npos) << history.raw.body;
}

INSTANTIATE_TEST_SUITE_P(backends, backup, ::testing::Values("sqlite", "postgresql"), param_name);
