// Mail and answers survive a crash, secrets never reach the log in
// production, keys rotate without logging everyone out.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <csignal>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* key_a = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
constexpr const char* key_b = "Vb7Q2xk9LmN4pR8sT1wY6zA3cE5gH0jKdFu_Io-Pq2Zr";

std::string json(const boost::json::object& o)
{
    return boost::json::serialize(o);
}

} // namespace

TEST(durability, production_logs_never_contain_tokens_links_or_mail_bodies)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    auto env = production_env();
    env["DATABASE_URL"] = temp_sqlite_url();
    env["SMTP_URL"] = *smtp_url();
    env["LOG_LEVEL"] = "trace";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    std::vector<std::pair<std::string, std::string>> https{{"X-Forwarded-Proto", "https"}};

    auto email = unique_email("prodlog");
    auto signup =
        call(*port, "POST", "/api/v1/auth/signup", json({{"email", email}, {"consent_data_storage", true}}), {}, https);
    ASSERT_EQ(signup.status(), 200u) << signup.raw.body;
    auto mail = wait_for_mail(email);
    ASSERT_TRUE(mail);
    auto verify_token = verify_token_in(*mail);
    auto login = call(*port, "POST", "/api/v1/auth/verify", json({{"token", verify_token}}), {}, https);
    ASSERT_EQ(login.status(), 200u);
    auto session = login.str("session_token");
    auto refreshed = call(*port, "POST", "/api/v1/auth/refresh-token", {}, session, https).str("token");
    auto anon = call(*port, "POST", "/api/v1/auth/anonymous", {}, {}, https).str("anon_token");
    call(*port, "GET", "/api/v1/auth/session-check?access_token=" + anon, {}, refreshed, https);
    call(*port, "POST", "/api/v1/auth/logout", {}, refreshed, https);

    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(10s), 0);
    auto out = p.output();
    ASSERT_NE(out.find("access POST /api/v1/auth/verify 200"), std::string::npos) << "the log is being written";
    for (const auto& secret : {verify_token, session, refreshed, anon, std::string("chatkit_verify"),
                               std::string("open this link"), std::string(key_a)})
        EXPECT_EQ(out.find(secret), std::string::npos) << "leaked: " << secret;
}

TEST(durability, mail_committed_before_a_crash_is_delivered_after_restart)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    auto db = temp_sqlite_url();
    auto env = dev_env();
    env["DATABASE_URL"] = db;
    env["SECRET_KEY"] = key_a;
    env["SMTP_URL"] = "smtp+insecure://127.0.0.1:1"; // nothing listens: delivery cannot happen yet
    auto email = unique_email("crash");
    {
        server_process first({}, env);
        auto port = first.wait_until_listening();
        ASSERT_TRUE(port);
        ASSERT_EQ(call(*port, "POST", "/api/v1/auth/signup", json({{"email", email}, {"consent_data_storage", true}}))
                      .status(),
                  200u);
        // Committed, one delivery attempt failed, not claimed: the state a
        // crash between commit and delivery leaves behind.
        auto session = open_database(db);
        long long attempts = 0, claimed = 1;
        for (int i = 0; i < 100 && (attempts == 0 || claimed != 0); ++i) {
            std::this_thread::sleep_for(50ms);
            *session << "SELECT attempts, claimed_until FROM mail_outbox", soci::into(attempts), soci::into(claimed);
        }
        ASSERT_GE(attempts, 1);
        first.signal(SIGKILL);
        first.wait_exit(5s);
    }
    EXPECT_FALSE(wait_for_mail(email, 300ms));

    env["SMTP_URL"] = *smtp_url();
    server_process second({}, env);
    ASSERT_TRUE(second.wait_until_listening());
    auto mail = wait_for_mail(email, 15s);
    ASSERT_TRUE(mail) << second.output();
    EXPECT_FALSE(verify_token_in(*mail).empty());
    auto session = open_database(db);
    long long unsent = -1;
    for (int i = 0; i < 50 && unsent != 0; ++i) {
        std::this_thread::sleep_for(100ms);
        *session << "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL", soci::into(unsent);
    }
    EXPECT_EQ(unsent, 0);
}

TEST(durability, rotating_the_secret_keeps_tokens_of_the_previous_key)
{
    auto db = temp_sqlite_url();
    auto env = dev_env();
    env["DATABASE_URL"] = db;
    env["SECRET_KEY"] = key_a;
    std::string anon;
    {
        server_process before({}, env);
        auto port = before.wait_until_listening();
        ASSERT_TRUE(port);
        anon = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
    }
    env["SECRET_KEY"] = key_b;
    env["SECRET_KEY_PREVIOUS"] = key_a;
    {
        server_process rotating({}, env);
        auto port = rotating.wait_until_listening();
        ASSERT_TRUE(port);
        EXPECT_EQ(call(*port, "GET", "/api/v1/auth/session-check", {}, anon).status(), 200u);
    }
    env.erase("SECRET_KEY_PREVIOUS");
    server_process after({}, env);
    auto port = after.wait_until_listening();
    ASSERT_TRUE(port);
    EXPECT_EQ(call(*port, "GET", "/api/v1/auth/session-check", {}, anon).status(), 401u)
        << "once the old key is gone, its tokens are";
}

TEST(durability, an_answer_whose_instance_was_killed_ends_with_an_error_and_stays_in_history)
{
    auto db = temp_sqlite_url();
    auto env = dev_env();
    env["DATABASE_URL"] = db;
    env["SECRET_KEY"] = key_a;
    env["BUILTIN_TOKEN_DELAY"] = "100ms";
    env["INSTANCE_LEASE"] = "3s";
    std::string token, id, seen;
    {
        server_process first({}, env);
        auto port = first.wait_until_listening();
        ASSERT_TRUE(port);
        token = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
        auto s = start_stream(*port, "POST", "/api/v1/chat/stream",
                              ask("What is embodied AI?", {{"session_id", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"}}),
                              {{"Authorization", "Bearer " + token}});
        sse_reader reader(*s.conn);
        for (int i = 0; i < 6; ++i) {
            auto e = reader.next();
            ASSERT_TRUE(e);
            id = e->id.substr(0, e->id.find(':'));
            if (e->event == "token")
                seen += e->data.at("content").as_string();
        }
        std::this_thread::sleep_for(300ms); // the journal wrote those frames
        first.signal(SIGKILL);
        first.wait_exit(5s);
    }
    server_process second({}, env);
    auto port = second.wait_until_listening();
    ASSERT_TRUE(port);
    // Within a lease and a pass, the answer is ended for good.
    std::vector<sse_event> events;
    ASSERT_TRUE(eventually(
        [&] {
            auto replay =
                start_stream(*port, "GET", "/api/v1/chat/stream/" + id, {}, {{"Authorization", "Bearer " + token}});
            sse_reader reader(*replay.conn);
            auto all = read_all(reader);
            events = all.events;
            return !events.empty() && events.back().event == "error";
        },
        20s))
        << second.output();
    EXPECT_EQ(events.back().data.at("error").at("code"), "GENERATION_FAILED");
    auto history = call(*port, "GET", "/api/v1/chat/history", {}, token);
    auto& messages = history.json.at("messages").as_array();
    ASSERT_EQ(messages.size(), 2u) << history.raw.body;
    EXPECT_EQ(messages[0].at("content"), "What is embodied AI?");
    EXPECT_EQ(messages[1].at("status"), "failed");
    EXPECT_EQ(messages[1].at("message_id"), boost::json::value(id));
    EXPECT_TRUE(messages[1].at("content").as_string().starts_with(seen)) << "what was said is kept";
    EXPECT_EQ(call(*port, "POST", "/api/v1/chat/" + id + "/cancel", {}, token).status(), 204u);
}

TEST(durability, a_client_ahead_of_the_journal_still_gets_the_error_after_a_crash)
{
    // The journal writes every 100 ms, so a client has usually seen frames
    // the database does not hold yet when the instance dies. The error that
    // ends the answer must still come after what that client saw.
    auto env = dev_env();
    env["SECRET_KEY"] = key_a;
    env["BUILTIN_TOKEN_DELAY"] = "20ms";
    env["INSTANCE_LEASE"] = "3s";
    std::string token, last_id;
    {
        server_process first({}, env);
        auto port = first.wait_until_listening();
        ASSERT_TRUE(port);
        token = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
        auto s = start_stream(*port, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"),
                              {{"Authorization", "Bearer " + token}});
        sse_reader reader(*s.conn);
        for (int i = 0; i < 8; ++i) {
            auto e = reader.next();
            ASSERT_TRUE(e);
            ASSERT_EQ(e->event == "done" || e->event == "error", false) << "the answer must outlast the client";
            last_id = e->id;
        }
        first.signal(SIGKILL); // at once: the last frames read are not journaled
        first.wait_exit(5s);
    }
    server_process second({}, env);
    auto port = second.wait_until_listening();
    ASSERT_TRUE(port);
    auto id = last_id.substr(0, last_id.find(':'));
    std::vector<sse_event> events;
    ASSERT_TRUE(eventually(
        [&] {
            auto replay = start_stream(*port, "GET", "/api/v1/chat/stream/" + id, {},
                                       {{"Authorization", "Bearer " + token}, {"Last-Event-ID", last_id}});
            if (replay.head.status != 200)
                return false;
            sse_reader reader(*replay.conn);
            events = read_all(reader).events;
            return !events.empty() && events.back().event == "error";
        },
        20s))
        << second.output();
    EXPECT_EQ(events.back().data.at("error").at("code"), "GENERATION_FAILED");
}
