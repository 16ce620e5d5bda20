// PostgreSQL misbehaving under a running instance: gone, silent, resetting,
// slow. Each goes through tests/support/tcp_proxy, between one instance and
// the cluster scripts/test starts. Then a database that takes no writes: a
// read-only PostgreSQL, an immutable SQLite -shm.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"
#include "support/tcp_proxy.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";

std::uint16_t port_of(const std::string& url)
{
    auto colon = url.rfind(':');
    return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1, url.find('/', colon) - colon - 1)));
}

// What chattr +i / -i does; false where this user or file system cannot
// (no CAP_LINUX_IMMUTABLE, a file system without the flag).
bool set_immutable(const std::string& file, bool on)
{
    int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
    ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return ok;
}

struct timed {
    api_response response;
    std::chrono::steady_clock::duration took;
};

class database_faults : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto admin = postgres_admin_url();
        if (!admin)
            GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
        auto db_url = fresh_database("postgresql");
        auto pg_port = std::to_string(port_of(*admin));
        proxy_ = std::make_unique<tcp_proxy>(port_of(*admin));
        proxied_ =
            db_url.replace(db_url.rfind(":" + pg_port), pg_port.size() + 1, ":" + std::to_string(proxy_->port()));
    }

    void TearDown() override
    {
        if (HasFailure() && server_)
            std::fprintf(stderr, "--- server output ---\n%s\n", server_->output().c_str());
    }

    // One instance through the proxy, with an anonymous session made while
    // the database still answers.
    void start(std::map<std::string, std::string> extra)
    {
        auto env = dev_env();
        env["DATABASE_URL"] = proxied_;
        env["SECRET_KEY"] = secret;
        env["RATE_ANONYMOUS"] = "unlimited";
        env["RATE_ANONYMOUS_IP"] = "unlimited";
        for (auto& [k, v] : extra)
            env[k] = v;
        server_ = std::make_unique<server_process>(std::vector<std::string>{}, env);
        auto port = server_->wait_until_listening();
        ASSERT_TRUE(port) << server_->output();
        port_ = *port;
        anon_ = call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token");
        ASSERT_FALSE(anon_.empty());
        // Sessions never checked, so never in the instance's session cache
        // (on PostgreSQL a checked one is answered without the database):
        // one for each round of need_the_database().
        for (int i = 0; i < 6; ++i) {
            unchecked_.push_back(call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token"));
            ASSERT_FALSE(unchecked_.back().empty());
        }
    }

    // Requests that each need the database, all at once (more than the pool,
    // so some wait in the executor's queue): a session lookup, a new session
    // (a write) and a chat answer.
    std::vector<timed> need_the_database()
    {
        if (unchecked_.empty())
            throw std::logic_error("more rounds than unchecked sessions");
        auto token = unchecked_.back();
        unchecked_.pop_back();
        auto timed_call = [this](std::string method, std::string path, std::string body, std::string bearer) {
            auto started = std::chrono::steady_clock::now();
            auto r = call(port_, method, path, body, bearer);
            return timed{std::move(r), std::chrono::steady_clock::now() - started};
        };
        std::vector<std::future<timed>> calls;
        for (int i = 0; i < 2; ++i) {
            calls.push_back(std::async(std::launch::async, timed_call, "GET", "/api/v1/auth/session-check", "", token));
            calls.push_back(std::async(std::launch::async, timed_call, "POST", "/api/v1/auth/anonymous", "", ""));
            calls.push_back(
                std::async(std::launch::async, timed_call, "POST", "/api/v1/chat", ask("What is embodied AI?"), token));
        }
        std::vector<timed> out;
        for (auto& c : calls)
            out.push_back(c.get());
        return out;
    }

    // Each answers 503 SERVICE_UNAVAILABLE (not 500, not a hang) within `bound`.
    void expect_503_within(std::chrono::steady_clock::duration bound)
    {
        for (auto& [r, took] : need_the_database()) {
            EXPECT_EQ(r.status(), 503u) << r.raw.body;
            EXPECT_EQ(r.error_code(), "SERVICE_UNAVAILABLE") << r.raw.body;
            EXPECT_LT(took, bound) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
        }
    }

    void expect_recovery()
    {
        EXPECT_TRUE(eventually(
            [&] { return call(port_, "GET", "/api/v1/auth/session-check", {}, anon_).status() == 200u; }, 15s))
            << "recovers without a restart";
        EXPECT_EQ(call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), anon_).status(), 200u);
        EXPECT_TRUE(eventually([&] { return call(port_, "GET", "/readyz").str("status") == "ready"; }, 5s));
    }

    // SIGTERM with requests still waiting on the database: the drain ends
    // within its own limit (DRAIN_TIMEOUT, 30 s). A request may wait for
    // several database jobs one after another, each bounded by twice the
    // deadline, so on a loaded machine it can take longer than one bound.
    void expect_drain_finishes()
    {
        auto in_flight = std::async(std::launch::async, [&] { return need_the_database(); });
        std::this_thread::sleep_for(200ms); // let them reach the database
        server_->signal(SIGTERM);
        EXPECT_EQ(server_->wait_exit(40s), 0) << "the drain finished:\n" << server_->output();
        for (auto& [r, took] : in_flight.get())
            EXPECT_NE(r.status(), 500u) << r.raw.body;
    }

    std::unique_ptr<tcp_proxy> proxy_;
    std::string proxied_;
    std::unique_ptr<server_process> server_;
    std::uint16_t port_ = 0;
    std::string anon_;
    std::vector<std::string> unchecked_;
};

} // namespace

TEST_F(database_faults, database_outage_gives_503_and_the_server_recovers_by_itself)
{
    start({{"DB_STATEMENT_TIMEOUT", "2s"}});
    ASSERT_FALSE(HasFatalFailure());

    proxy_->cut();
    // /health probes the database at most every 250 ms: it turns as soon as it looks.
    api_response health;
    EXPECT_TRUE(eventually(
        [&] {
            health = call(port_, "GET", "/health");
            return health.status() == 503u;
        },
        5s));
    EXPECT_EQ(health.str("status"), "degraded");
    EXPECT_EQ(health.str("database"), "unavailable");
    EXPECT_EQ(call(port_, "GET", "/readyz").status(), 503u) << "not ready without its database";
    EXPECT_EQ(call(port_, "GET", "/livez").status(), 200u) << "but alive: no restart for a database outage";
    auto during = call(port_, "GET", "/api/v1/auth/session-check", {}, anon_);
    EXPECT_EQ(during.status(), 503u);
    EXPECT_EQ(during.error_code(), "SERVICE_UNAVAILABLE");
    EXPECT_FALSE(during.raw.header("retry-after").empty());
    for (const char* leak : {"SELECT", "sessions", "postgres", "connection"})
        EXPECT_EQ(during.raw.body.find(leak), std::string::npos) << leak;

    proxy_->restore();
    expect_recovery();
    EXPECT_TRUE(eventually([&] { return call(port_, "GET", "/health").str("database") == "connected"; }, 5s));
}

// The deadline of a database job is the statement timeout plus 2 s (3 s
// here) to wait and as long again to run, cut by a watchdog that looks every
// 250 ms: twice the deadline and a margin bound every answer.
TEST_F(database_faults, a_database_that_stops_answering_gives_503_within_the_deadline_and_a_drain_finishes)
{
    start({{"DB_STATEMENT_TIMEOUT", "1s"}, {"DB_POOL", "2"}});
    ASSERT_FALSE(HasFatalFailure());

    proxy_->blackhole(); // packets vanish: no reset, no answer
    expect_503_within(7s);
    // The watchdog cut the socket: libpq's message spans lines, and in the
    // log each newline is escaped once.
    auto log = server_->output();
    EXPECT_NE(log.find("server closed the connection unexpectedly\\x0a"), std::string::npos) << log;
    EXPECT_EQ(log.find("\\x5cx0a"), std::string::npos) << "escaped twice:\n" << log;

    proxy_->restore();
    expect_recovery();

    proxy_->blackhole();
    expect_drain_finishes();
}

TEST_F(database_faults, a_database_that_resets_connections_gives_503_at_once_and_a_drain_finishes)
{
    start({{"DB_STATEMENT_TIMEOUT", "1s"}, {"DB_POOL", "2"}});
    ASSERT_FALSE(HasFatalFailure());

    // Every connection, open or new, aborted with RST: nothing waits for a
    // timer, so each answer comes well within one deadline.
    proxy_->reset();
    expect_503_within(3s);
    EXPECT_TRUE(eventually([&] { return call(port_, "GET", "/readyz").status() == 503u; }, 5s));

    proxy_->restore();
    expect_recovery();

    proxy_->reset();
    expect_drain_finishes();
}

TEST_F(database_faults, a_slow_database_answers_while_it_keeps_up_and_503_within_the_deadline_once_it_does_not)
{
    start({{"DB_STATEMENT_TIMEOUT", "1s"}, {"DB_POOL", "2"}});
    ASSERT_FALSE(HasFatalFailure());

    // 20 ms per 16 KiB: slower, still inside every deadline.
    proxy_->slow(20ms, 16384);
    for (auto& [r, took] : need_the_database())
        EXPECT_EQ(r.status(), 200u) << r.raw.body;

    // 1 s per 64 bytes: one query's answer takes longer than its deadline.
    proxy_->slow(1s, 64);
    expect_503_within(7s);

    proxy_->restore();
    expect_recovery();

    proxy_->slow(1s, 64);
    expect_drain_finishes();
}

// A database that answers but takes no write (read-only mode, a standby)
// fails every write with 503: the load balancer must see it in /readyz.
TEST(database_read_only, readyz_turns_503_while_postgresql_takes_no_writes_and_recovers)
{
    auto admin_url = postgres_admin_url();
    if (!admin_url)
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto db_url = fresh_database("postgresql");
    auto name = db_url.substr(db_url.rfind('/') + 1);
    auto env = dev_env();
    env["DATABASE_URL"] = db_url;
    env["SECRET_KEY"] = secret;
    server_process server({}, env);
    auto port = server.wait_until_listening();
    ASSERT_TRUE(port) << server.output();
    ASSERT_EQ(call(*port, "GET", "/readyz").status(), 200u);

    auto admin = open_database(*admin_url);
    // The pool's connections reopen after the cut and take the new default.
    auto set_read_only = [&](bool on) {
        *admin << "ALTER DATABASE \"" + name + "\" SET default_transaction_read_only = " + (on ? "on" : "off");
        *admin << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + name +
                      "' AND pid <> pg_backend_pid()";
    };
    set_read_only(true);
    EXPECT_TRUE(eventually([&] { return call(*port, "GET", "/readyz").status() == 503u; }, 10s))
        << "a read-only database is not ready";
    EXPECT_EQ(call(*port, "GET", "/health").status(), 503u);
    set_read_only(false);
    EXPECT_TRUE(eventually([&] { return call(*port, "GET", "/readyz").status() == 200u; }, 10s)) << "and it recovers";
}

// SQLite writes its -shm through a shared mapping, and ext4 answers a write
// to an immutable file's mapping with SIGBUS: the server must answer 503 and
// say why instead, recover once the file is writable, and refuse to start on
// such a file with one line.
TEST(database_read_only, an_immutable_sqlite_shm_gives_503_and_a_log_line_not_a_signal)
{
    auto url = fresh_database("sqlite");
    auto path = url.substr(std::string("sqlite://").size());
    auto shm = path + "-shm";
    {
        auto probe = path + ".probe";
        std::ofstream(probe) << "x";
        bool supported = set_immutable(probe, true) && set_immutable(probe, false);
        std::filesystem::remove(probe);
        if (!supported)
            GTEST_SKIP() << "cannot make a file immutable beside " << path
                         << " (needs root and a file system with chattr +i, e.g. ext4)";
    }
    struct mutable_again {
        std::string file;
        ~mutable_again() { set_immutable(file, false); }
    } cleanup{shm};
    auto env = dev_env();
    env["DATABASE_URL"] = url;
    auto server = std::make_unique<server_process>(std::vector<std::string>{}, env);
    auto port = server->wait_until_listening();
    ASSERT_TRUE(port) << server->output();
    ASSERT_EQ(call(*port, "POST", "/api/v1/auth/anonymous").status(), 200u);
    ASSERT_TRUE(std::filesystem::exists(shm));

    ASSERT_TRUE(set_immutable(shm, true));
    auto refused = call(*port, "POST", "/api/v1/auth/anonymous");
    EXPECT_EQ(refused.status(), 503u) << refused.raw.body;
    EXPECT_EQ(refused.error_code(), "SERVICE_UNAVAILABLE");
    EXPECT_TRUE(refused.raw.has("retry-after"));
    EXPECT_TRUE(eventually([&] { return call(*port, "GET", "/readyz").status() == 503u; }, 5s));
    EXPECT_EQ(call(*port, "GET", "/health").status(), 503u);
    EXPECT_FALSE(server->wait_exit(0ms)) << "no signal";
    EXPECT_NE(server->output().find(shm + " is not writable"), std::string::npos) << server->output();

    ASSERT_TRUE(set_immutable(shm, false));
    EXPECT_TRUE(eventually([&] { return call(*port, "GET", "/readyz").status() == 200u; }, 5s)) << "and it recovers";
    EXPECT_EQ(call(*port, "POST", "/api/v1/auth/anonymous").status(), 200u);

    // Immutable at shutdown: closing a connection through SQLite would
    // checkpoint through the -shm mapping (SIGBUS, 128 + 7), so the server
    // says so and leaves its connections to the exit.
    ASSERT_TRUE(set_immutable(shm, true));
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait_exit(10s), 0) << server->output();
    EXPECT_NE(server->output().find("left to the process exit"), std::string::npos) << server->output();
    ASSERT_TRUE(std::filesystem::exists(shm)) << "left behind, like a killed server's";

    server_process again({}, env);
    EXPECT_EQ(again.wait_exit(10s), 78);
    auto refusal = again.output();
    EXPECT_EQ(std::count(refusal.begin(), refusal.end(), '\n'), 1) << "one line: " << refusal;
    EXPECT_NE(refusal.find(shm + " is not writable"), std::string::npos) << refusal;

    // Writable again: the next start recovers the WAL, and nothing committed is lost.
    ASSERT_TRUE(set_immutable(shm, false));
    server_process third({}, env);
    ASSERT_TRUE(third.wait_until_listening()) << third.output();
    EXPECT_EQ(query_number(url, "SELECT COUNT(*) FROM sessions"), 2) << "both sessions made above";
    third.signal(SIGTERM);
    EXPECT_EQ(third.wait_exit(10s), 0) << third.output();
}
