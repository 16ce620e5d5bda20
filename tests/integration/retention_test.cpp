// docs/operations.md "Retention": what is old goes, what is not stays, on
// SQLite and on PostgreSQL.
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <ctime>
#include <optional>
#include <tuple>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

class retention : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override
    {
        if (GetParam() == "postgresql" && !postgres_admin_url())
            GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    }

    // A server on a fresh database that applies retention every 200 ms, and
    // a session on that database (its schema in place) to arrange rows with.
    std::unique_ptr<soci::session> start_retaining()
    {
        auto url = fresh_database(GetParam());
        auto env = dev_env();
        env["DATABASE_URL"] = url;
        env["RETENTION_INTERVAL"] = "200ms";
        server_.emplace(std::vector<std::string>{}, env);
        if (!server_->wait_until_listening())
            return nullptr;
        return open_database(url);
    }

    [[nodiscard]] std::string output() const { return server_ ? server_->output() : std::string(); }

private:
    std::optional<server_process> server_;
};

} // namespace

TEST_P(retention, old_rows_of_every_kind_go_and_recent_ones_stay)
{
    auto db = start_retaining();
    ASSERT_TRUE(db) << output();
    long long now = std::time(nullptr);
    long long old_day = now - 200 * 86400, recent = now - 60;
    for (auto [id, at] : {std::pair<std::string, long long>{"old", old_day}, {"new", recent}}) {
        *db << "INSERT INTO chat_streams (message_id, created_at, finished_at) VALUES (:id, :at, :at2)", soci::use(id),
            soci::use(at), soci::use(at);
        *db << "INSERT INTO stream_chunks (message_id, first_seq, last_seq, frames) VALUES (:id, 0, 0, 'x')",
            soci::use(id);
        // Named values: SOCI reads what use() binds when the statement runs, at
        // the end of the full expression, after its temporaries are gone.
        long long ms = at * 1000, session_end = at + 3600, link_end = at + 600;
        // Milliseconds, as the server records a conversation and its messages.
        *db << "INSERT INTO conversations (id, created_at) VALUES (:id, :at)", soci::use(id), soci::use(ms);
        std::string message = id + "-m", hash = "hash-" + id, vhash = "vhash-" + id;
        *db << "INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES (:id, :c, 'user', 'q', "
               ":at)",
            soci::use(message), soci::use(id), soci::use(ms);
        *db << "INSERT INTO sessions (id, token_hash, created_at, last_seen_at, expires_at, revoked_at) "
               "VALUES (:id, :h, :at, :at2, :exp, :rev)",
            soci::use(id), soci::use(hash), soci::use(at), soci::use(at), soci::use(session_end), soci::use(at);
        *db << "INSERT INTO verification_tokens (id, token_hash, email, created_at, expires_at, used_at) "
               "VALUES (:id, :h, 'a@b.co', :at, :exp, :used)",
            soci::use(id), soci::use(vhash), soci::use(at), soci::use(link_end), soci::use(at);
        *db << "INSERT INTO mail_outbox (id, recipient, subject, created_at, next_attempt_at, sent_at) "
               "VALUES (:id, 'a@b.co', 's', :at, :at2, :sent)",
            soci::use(id), soci::use(at), soci::use(at), soci::use(at);
        *db << "INSERT INTO analytics_events (id, event_type, created_at) VALUES (:id, 'x', :at)", soci::use(id),
            soci::use(at);
        *db << "INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (:id, :at, 1)", soci::use(id),
            soci::use(at);
    }
    // A mail still waiting to be sent is never old, however long it waits.
    long long tomorrow = now + 86400;
    *db << "INSERT INTO mail_outbox (id, recipient, subject, sealed_body, created_at, next_attempt_at) "
           "VALUES ('pending', 'a@b.co', 's', 'sealed', :at, :at2)",
        soci::use(old_day), soci::use(tomorrow);

    const std::vector<std::pair<std::string, std::string>> tables{
        {"chat_streams", "message_id"}, {"stream_chunks", "message_id"},
        {"conversations", "id"},        {"sessions", "id"},
        {"verification_tokens", "id"},  {"mail_outbox", "id"},
        {"analytics_events", "id"},     {"rate_limit_counters", "bucket"}};
    EXPECT_TRUE(eventually(
        [&] {
            for (auto& [table, key] : tables)
                if (query_number(*db, "SELECT COUNT(*) FROM " + table + " WHERE " + key + " = 'old'") != 0)
                    return false;
            return true;
        },
        10s))
        << output();
    for (auto& [table, key] : tables)
        EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM " + table + " WHERE " + key + " = 'new'"), 1) << table;
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM messages WHERE id = 'new-m'"), 1);
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM messages WHERE id = 'old-m'"), 0);
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM mail_outbox WHERE id = 'pending'"), 1);
}

TEST_P(retention, a_rating_lives_as_long_as_its_answer)
{
    auto db = start_retaining();
    ASSERT_TRUE(db) << output();
    long long now = std::time(nullptr), hours_ago = now - 7200, ms = now * 1000;
    *db << "INSERT INTO conversations (id, created_at) VALUES ('c', :at)", soci::use(ms);
    *db << "INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES ('kept-a', 'c', "
           "'assistant', 'a', :at)",
        soci::use(ms);
    for (std::string id : {"kept", "gone"})
        *db << "INSERT INTO answer_feedback (message_id, rating, created_at, updated_at) VALUES (:id, 'down', :at, "
               ":at2)",
            soci::use(id), soci::use(hours_ago), soci::use(hours_ago);
    *db << "INSERT INTO answer_feedback (message_id, rating, created_at, updated_at) VALUES ('just-rated', 'up', "
           ":at, :at2)",
        soci::use(now), soci::use(now);
    EXPECT_TRUE(eventually(
        [&] { return query_number(*db, "SELECT COUNT(*) FROM answer_feedback WHERE message_id = 'gone'") == 0; }, 10s))
        << "its answer's conversation is gone: " << output();
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM answer_feedback WHERE message_id = 'kept'"), 1);
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM answer_feedback WHERE message_id = 'just-rated'"), 1)
        << "a rating may come before its answer is stored";
}

TEST_P(retention, a_rate_limit_window_goes_once_its_own_length_has_passed_again)
{
    auto db = start_retaining();
    ASSERT_TRUE(db) << output();
    long long now = std::time(nullptr);
    // Minute windows are many (one per client per minute): kept for two
    // days like a day window, they were most of a busy database.
    const std::vector<std::tuple<std::string, long long, bool>> windows{
        {"ip:a/minute", now - 300, false}, {"ip:b/minute", now - 30, true},      {"ip:c/hour", now - 3 * 3600, false},
        {"ip:d/hour", now - 1800, true},   {"ip:e/day", now - 3 * 86400, false}, {"ip:f/day", now - 5 * 3600, true},
        {"ip:g/second", now - 60, false}};
    for (const auto& [bucket, start, kept] : windows)
        *db << "INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (:b, :at, 1)", soci::use(bucket),
            soci::use(start);
    EXPECT_TRUE(eventually(
        [&] { return query_number(*db, "SELECT COUNT(*) FROM rate_limit_counters WHERE bucket LIKE 'ip:%'") == 3; },
        10s))
        << output();
    for (const auto& [bucket, start, kept] : windows)
        EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM rate_limit_counters WHERE bucket = '" + bucket + "'"),
                  kept ? 1 : 0)
            << bucket;
}

TEST_P(retention, a_sign_up_never_verified_goes_once_its_last_link_is_gone)
{
    auto db = start_retaining();
    ASSERT_TRUE(db) << output();
    long long now = std::time(nullptr), old_day = now - 200 * 86400, link_end = now + 600;
    // (address, verified, tier, last sign-up, kept)
    const std::vector<std::tuple<std::string, int, std::string, long long, bool>> users{
        {"gone@example.com", 0, "lightweight", old_day, false},
        {"verified@example.com", 1, "lightweight", old_day, true},
        {"recent@example.com", 0, "lightweight", now - 60, true},
        {"linked@example.com", 0, "lightweight", old_day, true},
        {"tiered@example.com", 0, "full", old_day, true}};
    for (const auto& [email, verified, tier, at, kept] : users)
        *db << "INSERT INTO users (id, email, email_verified, tier, created_at, updated_at) "
               "VALUES (:id, :email, :v, :tier, :at, :at2)",
            soci::use(email), soci::use(email), soci::use(verified), soci::use(tier), soci::use(at), soci::use(at);
    // A link still open for one of the old ones: its sign-up is not over.
    *db << "INSERT INTO verification_tokens (id, token_hash, email, created_at, expires_at) "
           "VALUES ('live', 'live-hash', 'linked@example.com', :at, :exp)",
        soci::use(now), soci::use(link_end);
    EXPECT_TRUE(eventually(
        [&] { return query_number(*db, "SELECT COUNT(*) FROM users WHERE email = 'gone@example.com'") == 0; }, 10s))
        << output();
    for (const auto& [email, verified, tier, at, kept] : users)
        EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM users WHERE email = '" + email + "'"), kept ? 1 : 0) << email;
}

INSTANTIATE_TEST_SUITE_P(backends, retention, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
