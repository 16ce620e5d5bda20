// Several instances on one PostgreSQL (and PostgreSQL refusing a start).
// Needs the cluster scripts/test starts; database_faults_test.cpp breaks
// the database under a running instance.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";

class cluster : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (!postgres_admin_url())
            GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
        db_url_ = fresh_database("postgresql");
    }

    std::map<std::string, std::string> env_for(const std::string& url, std::map<std::string, std::string> extra = {})
    {
        auto env = dev_env();
        env["DATABASE_URL"] = url;
        env["SECRET_KEY"] = secret;
        if (auto smtp = smtp_url())
            env["SMTP_URL"] = *smtp;
        for (auto& [k, v] : extra)
            env[k] = v;
        return env;
    }

    std::string db_url_;
};

} // namespace

TEST_F(cluster, instances_starting_together_apply_each_migration_once)
{
    std::vector<std::unique_ptr<server_process>> instances;
    for (int i = 0; i < 3; ++i)
        instances.push_back(std::make_unique<server_process>(std::vector<std::string>{}, env_for(db_url_)));
    for (auto& p : instances)
        ASSERT_TRUE(p->wait_until_listening()) << p->output();
    auto db = open_database(db_url_);
    long long rows = 0, distinct = 0;
    *db << "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations", soci::into(rows), soci::into(distinct);
    EXPECT_EQ(rows, distinct);
    EXPECT_GE(rows, 1);
    int applied_lines = 0;
    for (auto& p : instances)
        applied_lines += p->output().find("migration(s) applied") != std::string::npos;
    EXPECT_EQ(applied_lines, 1) << "exactly one instance applied the schema";
}

TEST_F(cluster, a_session_made_on_one_instance_works_and_dies_on_another)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    server_process a({}, env_for(db_url_));
    server_process b({}, env_for(db_url_));
    auto pa = a.wait_until_listening(), pb = b.wait_until_listening();
    ASSERT_TRUE(pa && pb);

    auto email = unique_email("cluster");
    call(*pa, "POST", "/api/v1/auth/signup",
         boost::json::serialize(boost::json::object{{"email", email}, {"consent_data_storage", true}}));
    auto token = verify_token_in(wait_for_mail(email).value_or(""));
    auto login =
        call(*pb, "POST", "/api/v1/auth/verify", boost::json::serialize(boost::json::object{{"token", token}}));
    ASSERT_EQ(login.status(), 200u) << "a link from instance A verifies on instance B";
    auto session = login.str("session_token");

    EXPECT_EQ(call(*pa, "GET", "/api/v1/auth/session-check", {}, session).status(), 200u);
    EXPECT_EQ(call(*pa, "POST", "/api/v1/auth/logout", {}, session).status(), 204u);
    EXPECT_EQ(call(*pb, "GET", "/api/v1/auth/session-check", {}, session).status(), 401u)
        << "logout on A is seen by B at once";
}

TEST_F(cluster, rate_limits_count_across_instances)
{
    server_process a({}, env_for(db_url_, {{"RATE_ANONYMOUS_SESSIONS_IP", "4/day"}}));
    server_process b({}, env_for(db_url_, {{"RATE_ANONYMOUS_SESSIONS_IP", "4/day"}}));
    auto pa = a.wait_until_listening(), pb = b.wait_until_listening();
    ASSERT_TRUE(pa && pb);
    std::vector<unsigned> statuses;
    for (int i = 0; i < 3; ++i) {
        statuses.push_back(call(*pa, "POST", "/api/v1/auth/anonymous").status());
        statuses.push_back(call(*pb, "POST", "/api/v1/auth/anonymous").status());
    }
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200u), 4);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429u), 2);
}

TEST(startup, unreachable_database_in_production_stops_with_one_line)
{
    auto env = production_env();
    env["DATABASE_URL"] = "postgresql://chatkit@127.0.0.1:1/chatkit";
    server_process p({}, env);
    auto code = p.wait_exit(15s);
    ASSERT_TRUE(code);
    EXPECT_NE(*code, 0);
    auto out = p.output();
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_NE(out.find("database"), std::string::npos) << out;
    EXPECT_EQ(out.find("listening"), std::string::npos);
}

TEST(chat_cluster, resume_and_cancel_work_on_another_instance)
{
    if (!postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL";
    auto db = fresh_database("postgresql");
    auto env = dev_env();
    env["DATABASE_URL"] = db;
    env["SECRET_KEY"] = secret;
    env["BUILTIN_TOKEN_DELAY"] = "60ms";
    server_process a({}, env), b({}, env);
    auto pa = a.wait_until_listening(), pb = b.wait_until_listening();
    ASSERT_TRUE(pa && pb);
    auto full = call(*pa, "POST", "/api/v1/chat", ask("What is embodied AI?")).str("answer");

    // Resumed on B at once, as docs/api.md's sample does: B learns of the
    // answer with A's next journal batch (about 100 ms), and waits for it.
    auto seen = read_then_drop(*pa, "What is embodied AI?", 1);
    auto last_id = seen.last_id, text = seen.text;
    auto id = seen.message_id();
    auto resumed = start_stream(*pb, "GET", "/api/v1/chat/stream/" + id, {}, {{"Last-Event-ID", last_id}});
    ASSERT_EQ(resumed.head.status, 200u) << "an answer unknown yet is not unknown";
    sse_reader reader(*resumed.conn);
    auto rest = read_all(reader);
    ASSERT_FALSE(rest.events.empty());
    EXPECT_EQ(rest.events.back().event, "done");
    EXPECT_EQ(text + rest.text, full) << "instance B continues live while A produces";

    auto second = start_stream(*pa, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
    sse_reader second_reader(*second.conn);
    std::optional<sse_event> first;
    for (int i = 0; i < 2; ++i)
        first = second_reader.next();
    ASSERT_TRUE(first);
    auto second_id = first->id.substr(0, first->id.find(':'));
    EXPECT_EQ(call(*pb, "POST", "/api/v1/chat/" + second_id + "/cancel").status(), 204u);
    auto ended = read_all(second_reader);
    ASSERT_FALSE(ended.events.empty());
    EXPECT_EQ(ended.events.back().data.at("cancelled"), true) << "a cancel on B stops the answer on A";
}

TEST_F(cluster, two_instances_and_a_slow_mail_server_deliver_each_mail_once)
{
    // Each mail takes 1.5 s between DATA and 250: long enough that both
    // instances are sending at once, and that a claim of several rows would
    // have expired behind the first of them.
    const char* script = std::getenv("CHATKIT_SLOW_SMTP");
    ASSERT_NE(script, nullptr) << "run through meson test";
    char log_path[] = "/tmp/chatkit-slow-smtp-XXXXXX";
    ::close(::mkstemp(log_path));
    server_process smtp({script, "--delay", "1.5", "--log", log_path}, {}, "/usr/bin/python3");
    auto smtp_port = smtp.wait_until_listening();
    ASSERT_TRUE(smtp_port) << smtp.output();
    auto env = env_for(db_url_, {{"SMTP_URL", "smtp+insecure://127.0.0.1:" + std::to_string(*smtp_port)}});
    server_process a({}, env);
    server_process b({}, env);
    auto pa = a.wait_until_listening(), pb = b.wait_until_listening();
    ASSERT_TRUE(pa && pb);

    constexpr int signups = 8;
    std::vector<std::string> emails;
    for (int i = 0; i < signups; ++i) {
        emails.push_back(unique_email("slowmail" + std::to_string(i)));
        auto r =
            call(i % 2 ? *pb : *pa, "POST", "/api/v1/auth/signup",
                 boost::json::serialize(boost::json::object{{"email", emails.back()}, {"consent_data_storage", true}}));
        ASSERT_EQ(r.status(), 200u) << r.raw.body;
    }
    auto delivered = [&] {
        std::ifstream in(log_path);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return lines;
    };
    ASSERT_TRUE(eventually([&] { return delivered().size() >= signups; }, 40s));
    std::this_thread::sleep_for(3s); // a second delivery of any of them would land by now
    auto lines = delivered();
    for (const auto& email : emails)
        EXPECT_EQ(std::count(lines.begin(), lines.end(), email), 1) << email;
    EXPECT_EQ(lines.size(), static_cast<std::size_t>(signups));
    ::unlink(log_path);
}

TEST_F(cluster, mail_of_an_instance_killed_mid_send_is_delivered_after_a_restart)
{
    // 3 s between DATA and 250: the kill lands while the first mail is
    // being sent, after its row was claimed and before it was marked sent.
    const char* script = std::getenv("CHATKIT_SLOW_SMTP");
    ASSERT_NE(script, nullptr) << "run through meson test";
    char log_path[] = "/tmp/chatkit-slow-smtp-XXXXXX";
    char received_path[] = "/tmp/chatkit-slow-smtp-received-XXXXXX";
    ::close(::mkstemp(log_path));
    ::close(::mkstemp(received_path));
    server_process smtp({script, "--delay", "3", "--log", log_path, "--received", received_path}, {},
                        "/usr/bin/python3");
    auto smtp_port = smtp.wait_until_listening();
    ASSERT_TRUE(smtp_port) << smtp.output();
    auto env = env_for(db_url_, {{"SMTP_URL", "smtp+insecure://127.0.0.1:" + std::to_string(*smtp_port)}});
    auto lines_of = [](const char* path) {
        std::ifstream in(path);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return lines;
    };

    constexpr int signups = 4;
    std::vector<std::string> emails;
    {
        server_process doomed({}, env);
        auto port = doomed.wait_until_listening();
        ASSERT_TRUE(port) << doomed.output();
        for (int i = 0; i < signups; ++i) {
            emails.push_back(unique_email("killedmail" + std::to_string(i)));
            auto r = call(
                *port, "POST", "/api/v1/auth/signup",
                boost::json::serialize(boost::json::object{{"email", emails.back()}, {"consent_data_storage", true}}));
            ASSERT_EQ(r.status(), 200u) << r.raw.body;
        }
        ASSERT_TRUE(eventually([&] { return !lines_of(received_path).empty(); }, 10s)) << doomed.output();
        doomed.signal(SIGKILL);
        ASSERT_EQ(doomed.wait_exit(5s), 128 + SIGKILL);
    }
    ASSERT_TRUE(lines_of(log_path).empty()) << "the kill came before the SMTP server's 250";
    auto in_flight = lines_of(received_path).front();

    server_process restarted({}, env);
    ASSERT_TRUE(restarted.wait_until_listening()) << restarted.output();
    // The row in flight is free again when its 60 s claim runs out.
    auto delivered_all = [&] {
        auto lines = lines_of(log_path);
        return std::all_of(emails.begin(), emails.end(),
                           [&](const std::string& e) { return std::count(lines.begin(), lines.end(), e) >= 1; });
    };
    EXPECT_TRUE(eventually(delivered_all, 90s)) << restarted.output();
    auto db = open_database(db_url_);
    long long unsent = -1;
    EXPECT_TRUE(eventually(
        [&] {
            *db << "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL", soci::into(unsent);
            return unsent == 0;
        },
        10s));
    std::this_thread::sleep_for(3s); // a second delivery of any of them would land by now
    auto lines = lines_of(log_path);
    for (const auto& email : emails) {
        auto n = std::count(lines.begin(), lines.end(), email);
        if (email == in_flight)
            EXPECT_GE(n, 1) << "at least once across the crash: " << email;
        else
            EXPECT_EQ(n, 1) << "exactly once when no instance died sending it: " << email;
    }
    ::unlink(log_path);
    ::unlink(received_path);
}

namespace {

double cached_sessions(std::uint16_t port)
{
    auto metrics = request(port, "GET", "/metrics").body;
    auto at = metrics.find("\nchatkit_session_cache_entries ");
    return at == std::string::npos ? -1 : std::stod(metrics.substr(at + 31));
}

// Checks `token` until the instance answers it from its cache: the cache
// turns on once the instance has heard its own notice.
bool cached_after_a_check(std::uint16_t port, const std::string& token)
{
    return eventually(
        [&] {
            return call(port, "GET", "/api/v1/auth/session-check", {}, token).status() == 200u &&
                   cached_sessions(port) == 1;
        },
        10s);
}

// Two instances on one database, and a session made on A that B answers
// from its cache.
class cached_on_b {
public:
    explicit cached_on_b(const std::map<std::string, std::string>& env) : a_({}, env), b_({}, env) {}

    ::testing::AssertionResult ready()
    {
        auto a = a_.wait_until_listening(), b = b_.wait_until_listening();
        if (!a || !b)
            return ::testing::AssertionFailure() << "an instance did not start";
        pa = *a;
        pb = *b;
        token = call(pa, "POST", "/api/v1/auth/anonymous").str("anon_token");
        if (!cached_after_a_check(pb, token))
            return ::testing::AssertionFailure() << "B never answered the session from its cache";
        return ::testing::AssertionSuccess();
    }

    std::uint16_t pa = 0, pb = 0;
    std::string token;

private:
    server_process a_, b_;
};

long long commits(const std::string& db_url)
{
    return query_number(db_url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
}

} // namespace

TEST_F(cluster, a_warm_session_cache_checks_sessions_without_the_database)
{
    server_process a({}, env_for(db_url_));
    auto pa = a.wait_until_listening();
    ASSERT_TRUE(pa);
    auto token = call(*pa, "POST", "/api/v1/auth/anonymous").str("anon_token");
    ASSERT_TRUE(cached_after_a_check(*pa, token)) << "the cache is on once the instance hears its own notice";
    // Statistics are flushed to pg_stat_database when a backend goes idle.
    std::this_thread::sleep_for(1s);
    auto before = commits(db_url_);
    constexpr int checks = 1000;
    for (int i = 0; i < checks; ++i)
        ASSERT_EQ(call(*pa, "GET", "/api/v1/auth/session-check", {}, token).status(), 200u);
    std::this_thread::sleep_for(1s);
    // The background work of an idle instance (mail, journal, leases) commits
    // a few transactions a second; a session check per request would be 1000.
    EXPECT_LT(commits(db_url_) - before, checks / 10);
}

TEST_F(cluster, a_logout_on_one_instance_is_refused_on_another_within_100_ms)
{
    cached_on_b two(env_for(db_url_));
    ASSERT_TRUE(two.ready());

    ASSERT_EQ(call(two.pa, "POST", "/api/v1/auth/logout", {}, two.token).status(), 204u);
    auto logged_out = std::chrono::steady_clock::now();
    while (call(two.pb, "GET", "/api/v1/auth/session-check", {}, two.token).status() != 401u)
        ASSERT_LT(std::chrono::steady_clock::now() - logged_out, 5s);
    auto took = std::chrono::steady_clock::now() - logged_out;
    EXPECT_LE(took, 100ms) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

TEST_F(cluster, while_the_notice_connection_is_down_session_checks_read_the_database)
{
    cached_on_b two(env_for(db_url_));
    ASSERT_TRUE(two.ready());

    // Cut every instance's notice connection: a notice sent now reaches nobody.
    {
        auto db = open_database(db_url_);
        *db << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
               "WHERE application_name = 'chatkit_session_notices' AND datname = current_database()";
    }
    ASSERT_TRUE(eventually([&] { return cached_sessions(two.pb) == 0; }, 5s)) << "B stops trusting its cache";
    ASSERT_EQ(call(two.pa, "POST", "/api/v1/auth/logout", {}, two.token).status(), 204u);
    EXPECT_EQ(call(two.pb, "GET", "/api/v1/auth/session-check", {}, two.token).status(), 401u);

    // Listening again, B caches again, starting from nothing.
    auto fresh = call(two.pa, "POST", "/api/v1/auth/anonymous").str("anon_token");
    ASSERT_TRUE(cached_after_a_check(two.pb, fresh));
    EXPECT_EQ(call(two.pb, "GET", "/api/v1/auth/session-check", {}, two.token).status(), 401u);
}

TEST_F(cluster, a_logout_whose_notice_fails_is_not_half_done)
{
    cached_on_b two(env_for(db_url_));
    ASSERT_TRUE(two.ready());
    auto db = open_database(db_url_);
    // A pg_notify that fails, found first by sessions that connect from now
    // on (the instances' pools reconnect after the outage below).
    *db << "CREATE FUNCTION public.pg_notify(text, text) RETURNS void LANGUAGE plpgsql AS "
           "$$BEGIN RAISE EXCEPTION 'notices are failing'; END$$";
    *db << "ALTER DATABASE " + db_url_.substr(db_url_.rfind('/') + 1) + " SET search_path = public, pg_catalog";
    *db << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND "
           "pid <> pg_backend_pid() AND application_name <> 'chatkit_session_notices'";
    ASSERT_TRUE(eventually(
        [&] {
            auto r = call(two.pa, "POST", "/api/v1/auth/logout", {}, two.token);
            return r.status() >= 500u;
        },
        10s))
        << "the logout fails as a whole";
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL"), 0)
        << "no revocation without its notice";

    *db << "DROP FUNCTION public.pg_notify(text, text)";
    ASSERT_TRUE(
        eventually([&] { return call(two.pa, "POST", "/api/v1/auth/logout", {}, two.token).status() == 204u; }, 10s));
    EXPECT_TRUE(eventually(
        [&] { return call(two.pb, "GET", "/api/v1/auth/session-check", {}, two.token).status() == 401u; }, 1s))
        << "the retry reaches every instance";
}
