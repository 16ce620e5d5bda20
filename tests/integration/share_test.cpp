// API.md "Shared conversations" over real sockets, on SQLite and on
// PostgreSQL: the owner of a conversation makes a read-only link (the same
// one again while it lives) and revokes it; the page behind it is HTML that
// runs nothing, escapes what was asked and stays out of search engines; the
// link dies with its conversation (retention, account deletion), is never
// written to a log, works on another instance, and its views are limited.
#include "support/api.hpp"
#include "support/chat_fixture.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include "chatkit/security/tokens.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* conversation = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
constexpr const char* hostile = "Is <script>alert('owned')</script> & <img src=x onerror=alert(1)> a teapot?";

std::string share_path(const char* id = conversation)
{
    return std::string("/api/v1/chat/conversations/") + id + "/share";
}

class shares : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override
    {
        if (GetParam() == "postgresql" && !postgres_admin_url())
            GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    }
    void TearDown() override
    {
        if (HasFailure())
            for (auto& s : servers_)
                std::fprintf(stderr, "--- server output ---\n%s\n", s->output().c_str());
    }

    // A server on this test's database (fresh at the first start); its port.
    std::uint16_t start(std::map<std::string, std::string> extra = {})
    {
        if (db_url_.empty())
            db_url_ = fresh_database(GetParam());
        auto env = chat_env();
        env["DATABASE_URL"] = db_url_;
        for (auto& [k, v] : extra)
            env[k] = v;
        servers_.push_back(std::make_unique<server_process>(std::vector<std::string>{}, env));
        auto port = servers_.back()->wait_until_listening();
        EXPECT_TRUE(port) << servers_.back()->output();
        return port.value_or(0);
    }

    [[nodiscard]] std::string anon(std::uint16_t port) const
    {
        return call(port, "POST", "/api/v1/auth/anonymous").str("anon_token");
    }

    // Asks `question` in the test's conversation and waits until the turn is
    // stored (answers reach the database in batches).
    void ask(std::uint16_t port, const std::string& token, const std::string& question) const
    {
        auto before = rows("SELECT COUNT(*) FROM messages");
        auto body = boost::json::serialize(
            boost::json::object{{"message", question}, {"context", boost::json::object{{"session_id", conversation}}}});
        ASSERT_EQ(call(port, "POST", "/api/v1/chat", body, token).status(), 200u);
        ASSERT_TRUE(eventually([&] { return rows("SELECT COUNT(*) FROM messages") >= before + 2; }, 10s));
    }
    // Asks one question in the conversation and shares it: the link's id.
    std::string asked_and_shared(std::uint16_t port, const std::string& token) const;

    // The same in the conversation the client calls `key`.
    void ask_in(std::uint16_t port, const std::string& token, const std::string& question, const std::string& key) const
    {
        auto before = rows("SELECT COUNT(*) FROM messages");
        auto body = boost::json::serialize(
            boost::json::object{{"message", question}, {"context", boost::json::object{{"session_id", key}}}});
        ASSERT_EQ(call(port, "POST", "/api/v1/chat", body, token).status(), 200u);
        ASSERT_TRUE(eventually([&] { return rows("SELECT COUNT(*) FROM messages") >= before + 2; }, 10s));
    }

    // A verified account's session token: the sign-in link from the SMTP
    // sink, or from the development mail log when there is none.
    std::string sign_in(std::uint16_t port, const std::string& email) const
    {
        auto signup =
            call(port, "POST", "/api/v1/auth/signup",
                 boost::json::serialize(boost::json::object{{"email", email}, {"consent_data_storage", true}}));
        EXPECT_EQ(signup.status(), 200u) << signup.raw.body;
        std::string mail;
        if (smtp_url()) {
            mail = wait_for_mail(email).value_or("");
        } else {
            const std::string marker = "dev mail to " + email;
            eventually(
                [&] {
                    for (const auto& server : servers_)
                        if (auto out = server->output(); out.find(marker) != std::string::npos)
                            mail = out.substr(out.rfind(marker));
                    return !verify_token_in(mail).empty();
                },
                10s);
        }
        auto verified = call(port, "POST", "/api/v1/auth/verify",
                             boost::json::serialize(boost::json::object{{"token", verify_token_in(mail)}}));
        EXPECT_EQ(verified.status(), 200u) << verified.raw.body;
        return verified.str("session_token");
    }

    [[nodiscard]] long long rows(const std::string& sql) const { return query_number(db_url_, sql); }

    std::string db_url_;
    std::vector<std::unique_ptr<server_process>> servers_;
};

// The share id of a 200 from POST .../share, checked for its shape.
std::string share_id_of(const api_response& r)
{
    EXPECT_EQ(r.status(), 200u) << r.raw.body;
    auto id = r.str("share_id");
    EXPECT_TRUE(std::regex_match(id, std::regex("[A-Za-z0-9_-]{43}"))) << id;
    EXPECT_EQ(r.str("path"), "/c/" + id);
    return id;
}

std::string shares::asked_and_shared(std::uint16_t port, const std::string& token) const
{
    ask(port, token, "What is embodied AI?");
    return share_id_of(call(port, "POST", share_path(), {}, token));
}

// Unix seconds of an RFC 3339 time the API gave ("2026-12-08T05:57:35Z").
long long unix_of(const std::string& rfc3339)
{
    std::tm tm{};
    EXPECT_TRUE(strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) << rfc3339;
    return static_cast<long long>(timegm(&tm));
}

// GET /api/v1/chat/shares: conversation id -> {created_at, expires_at}.
std::map<std::string, std::pair<std::string, std::string>> listed(std::uint16_t port, const std::string& token)
{
    auto r = call(port, "GET", "/api/v1/chat/shares", {}, token);
    EXPECT_EQ(r.status(), 200u) << r.raw.body;
    std::map<std::string, std::pair<std::string, std::string>> out;
    if (r.status() != 200u)
        return out;
    for (const auto& s : r.json.at("shares").as_array())
        out[std::string(s.at("conversation_id").as_string())] = {std::string(s.at("created_at").as_string()),
                                                                 std::string(s.at("expires_at").as_string())};
    return out;
}

} // namespace

TEST_P(shares, the_owner_shares_a_conversation_as_a_page_and_revokes_it)
{
    auto port = start();
    auto token = anon(port);
    ask(port, token, hostile);

    EXPECT_EQ(call(port, "POST", share_path()).status(), 401u) << "no token, no conversation";
    auto made = call(port, "POST", share_path(), {}, token);
    auto id = share_id_of(made);
    EXPECT_FALSE(made.json.at("expires_at").is_null()) << "an anonymous conversation ends with retention";
    EXPECT_EQ(share_id_of(call(port, "POST", share_path(), {}, token)), id) << "one link per conversation";
    EXPECT_EQ(rows("SELECT COUNT(*) FROM conversation_shares"), 1);
    EXPECT_EQ(rows("SELECT COUNT(*) FROM conversation_shares WHERE token_hash = '" + id + "' OR sealed_token LIKE '%" +
                   id + "%'"),
              0)
        << "the database never holds the link itself";

    auto page = request(port, "GET", "/c/" + id);
    ASSERT_EQ(page.status, 200u) << page.body;
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(page.header("x-robots-tag").find("noindex"), std::string::npos);
    EXPECT_NE(page.body.find("<meta name=\"robots\" content=\"noindex"), std::string::npos);
    EXPECT_EQ(page.header("referrer-policy"), "no-referrer") << "the link never leaves in a Referer";
    EXPECT_EQ(page.header("cache-control"), "no-store");
    auto csp = page.header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("script-src"), std::string::npos) << csp;
    EXPECT_NE(page.body.find("Is &lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; &amp; &lt;img src=x "
                             "onerror=alert(1)&gt; a teapot?"),
              std::string::npos)
        << page.body;
    EXPECT_EQ(page.body.find("<script"), std::string::npos) << "the question shows as text, never as markup";
    EXPECT_EQ(page.body.find("<img"), std::string::npos);
    EXPECT_NE(page.body.find("<h3>Answer</h3>"), std::string::npos);

    EXPECT_EQ(call(port, "DELETE", share_path(), {}, token).status(), 204u);
    auto gone = request(port, "GET", "/c/" + id);
    EXPECT_EQ(gone.status, 404u);
    EXPECT_EQ(gone.header("content-type"), "text/html; charset=utf-8") << "a page a person reads";
    EXPECT_NE(gone.header("x-robots-tag").find("noindex"), std::string::npos);
    EXPECT_EQ(gone.body.find(hostile), std::string::npos);
    EXPECT_EQ(call(port, "DELETE", share_path(), {}, token).status(), 204u) << "revoking twice is no error";

    auto again = share_id_of(call(port, "POST", share_path(), {}, token));
    EXPECT_NE(again, id) << "a revoked link stays dead: sharing again makes a new one";
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 404u);
    EXPECT_EQ(request(port, "GET", "/c/" + again).status, 200u);
}

TEST_P(shares, nobody_shares_or_revokes_a_conversation_of_someone_else)
{
    auto port = start();
    auto owner = anon(port);
    auto id = asked_and_shared(port, owner);

    auto stranger = anon(port);
    auto foreign = call(port, "POST", share_path(), {}, stranger);
    EXPECT_EQ(foreign.status(), 404u) << foreign.raw.body;
    EXPECT_EQ(foreign.error_code(), "NOT_FOUND");
    EXPECT_EQ(call(port, "DELETE", share_path(), {}, stranger).status(), 404u);
    EXPECT_EQ(call(port, "POST", share_path("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"), {}, owner).status(), 404u)
        << "the owner's conversation of another name does not exist";
    EXPECT_EQ(call(port, "POST", share_path("not-a-conversation"), {}, owner).status(), 404u);
    EXPECT_EQ(call(port, "DELETE", share_path(), {}, std::string(43, 'A')).status(), 401u) << "a dead token";
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 200u) << "the stranger revoked nothing";

    for (const char* bad : {"/c/nope", "/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/c/%3Cscript%3E"})
        EXPECT_EQ(request(port, "GET", bad).status, 404u) << bad;
}

TEST_P(shares, a_link_ends_with_its_conversation_under_retention)
{
    auto port = start({{"RETENTION_INTERVAL", "200ms"}});
    auto token = anon(port);
    auto id = asked_and_shared(port, token);
    ASSERT_EQ(request(port, "GET", "/c/" + id).status, 200u);

    // The conversation's last message long past RETENTION_ANONYMOUS_CHATS.
    long long long_ago_ms = (static_cast<long long>(std::time(nullptr)) - 200 * 86400) * 1000;
    {
        auto db = open_database(db_url_);
        *db << "UPDATE conversations SET created_at = :at", soci::use(long_ago_ms);
        *db << "UPDATE messages SET created_at = :at", soci::use(long_ago_ms);
    }
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 404u) << "expired, pruned or not";
    EXPECT_TRUE(eventually([&] { return rows("SELECT COUNT(*) FROM conversation_shares") == 0; }, 10s))
        << "retention deletes the link with the conversation";
    EXPECT_EQ(rows("SELECT COUNT(*) FROM conversations"), 0);
    EXPECT_EQ(call(port, "POST", share_path(), {}, token).status(), 404u);
}

TEST_P(shares, a_link_is_deleted_with_its_readers_account_and_exported_without_itself)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink (run through scripts/test)";
    auto port = start();
    auto email = unique_email("share");
    call(port, "POST", "/api/v1/auth/signup",
         boost::json::serialize(boost::json::object{{"email", email}, {"consent_data_storage", true}}));
    auto verified = call(
        port, "POST", "/api/v1/auth/verify",
        boost::json::serialize(boost::json::object{{"token", verify_token_in(wait_for_mail(email).value_or(""))}}));
    ASSERT_EQ(verified.status(), 200u) << verified.raw.body;
    auto token = verified.str("session_token");
    ask(port, token, "What is embodied AI?");
    auto made = call(port, "POST", share_path(), {}, token);
    auto id = share_id_of(made);
    EXPECT_EQ(unix_of(made.str("expires_at")) - unix_of(made.str("created_at")), 30 * 86400)
        << "an account's link ends too, after SHARE_LINK_LIFETIME";
    ASSERT_EQ(request(port, "GET", "/c/" + id).status, 200u);

    auto env = dev_env();
    env["DATABASE_URL"] = db_url_;
    server_process exported({"user", "export", email}, env);
    ASSERT_EQ(exported.wait_exit(20s), 0) << exported.output();
    auto text = exported.output();
    auto doc = boost::json::parse(text.substr(text.find('{'))).as_object();
    EXPECT_TRUE(doc.at("conversations").at(0).at("shared_since").is_int64()) << text;
    EXPECT_EQ(text.find(id), std::string::npos) << "never the link";

    ASSERT_EQ(call(port, "DELETE", "/api/v1/user", {}, token).status(), 204u);
    EXPECT_EQ(rows("SELECT COUNT(*) FROM conversation_shares"), 0);
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 404u);
}

TEST_P(shares, a_link_made_on_one_instance_opens_on_another_and_never_reaches_a_log)
{
    auto a = start();
    auto b = start();
    auto token = anon(a);
    ask(a, token, "What is embodied AI?");
    auto id = share_id_of(call(a, "POST", share_path(), {}, token));
    auto page = request(b, "GET", "/c/" + id);
    EXPECT_EQ(page.status, 200u);
    EXPECT_NE(page.body.find("What is embodied AI?"), std::string::npos);
    ASSERT_EQ(call(b, "DELETE", share_path(), {}, token).status(), 204u);
    EXPECT_EQ(request(a, "GET", "/c/" + id).status, 404u) << "revoked on B, gone on A";

    // Both instances logged the views: by the route's pattern.
    for (auto& s : servers_) {
        EXPECT_TRUE(eventually([&] { return s->output().find("GET /c/{share_id}") != std::string::npos; }, 5s))
            << s->output();
        EXPECT_EQ(s->output().find(id), std::string::npos) << "the link itself is never logged";
    }
}

// Only a matched GET /c/<id> finds the route by the path alone; every other
// request under /c/ (another method, a longer path, a head refused before
// routing, an absolute-form target) is logged as the pattern too, in text
// and in JSON, error lines included.
TEST_P(shares, no_request_under_c_logs_the_link_whatever_its_method_or_shape)
{
    auto text = start();
    auto json = start({{"LOG_FORMAT", "json"}});
    auto token = anon(text);
    ask(text, token, "What is embodied AI?");
    auto id = share_id_of(call(text, "POST", share_path(), {}, token));
    const std::vector<std::pair<std::string, unsigned>> requests = {
        {"GET /c/" + id + "/ HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"GET /c/" + id + "/more?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"OPTIONS /c/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 204},
        {"POST /c/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405},
        {"PUT /c/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405},
        {"DELETE /c/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"GET /c/" + id + " HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
        {"GET /c/" + id + " HTTP/1.1\r\n\r\n", 400},
        {"GET http://x/c/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /c/" + id + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
        {"GET //c/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"GET /C/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"GET /%63/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"GET /c%2F" + id + " HTTP/1.1\r\nHost: x\r\n\r\n", 404},
    };
    for (auto port : {text, json}) {
        for (const auto& [raw, status] : requests) {
            connection c(port);
            ASSERT_TRUE(c.send(raw));
            auto r = c.read_response();
            ASSERT_TRUE(r) << raw;
            EXPECT_EQ(r->status, status) << raw;
        }
    }
    auto logged = [](const std::string& out, const std::string& what) {
        std::size_t n = 0;
        for (auto at = out.find(what); at != std::string::npos; at = out.find(what, at + 1))
            ++n;
        return n;
    };
    EXPECT_TRUE(eventually([&] { return logged(servers_[0]->output(), "access ") >= requests.size() + 3; }, 5s));
    EXPECT_TRUE(eventually([&] { return logged(servers_[1]->output(), "\"path\":") >= requests.size(); }, 5s));
    for (auto& s : servers_) {
        EXPECT_GE(logged(s->output(), "/c/{share_id}"), requests.size()) << s->output();
        EXPECT_EQ(s->output().find(id), std::string::npos) << "the link itself is never logged: " << s->output();
    }
}

// Every link ends SHARE_LINK_LIFETIME after it was made, an account's as
// well as an anonymous one (that one sooner when retention would delete
// its conversation first); its owner lists the live ones, so that one made
// long ago can be revoked; an expired one stays dead, and sharing again
// makes a new one.
TEST_P(shares, every_link_expires_and_its_owner_lists_and_revokes_the_live_ones)
{
    auto port = start({{"SHARE_LINK_LIFETIME", "1h"}, {"RETENTION_INTERVAL", "200ms"}});
    const std::string other = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    auto account = sign_in(port, unique_email("lifetime"));
    ask(port, account, "What is embodied AI?");
    ask_in(port, account, "What do sensors do?", other);
    auto made = call(port, "POST", share_path(), {}, account);
    auto id = share_id_of(made);
    EXPECT_EQ(unix_of(made.str("expires_at")) - unix_of(made.str("created_at")), 3600) << made.raw.body;
    auto second = share_id_of(call(port, "POST", share_path(other.c_str()), {}, account));
    auto live = listed(port, account);
    ASSERT_EQ(live.size(), 2u);
    EXPECT_EQ(live[conversation], std::make_pair(made.str("created_at"), made.str("expires_at")));
    EXPECT_TRUE(live.count(other));
    EXPECT_EQ(call(port, "GET", "/api/v1/chat/shares").status(), 401u);
    EXPECT_TRUE(listed(port, anon(port)).empty()) << "nobody else's";

    // Revoked from the list: the id it gives is the one DELETE takes.
    EXPECT_EQ(call(port, "DELETE", share_path(other.c_str()), {}, account).status(), 204u);
    EXPECT_EQ(request(port, "GET", "/c/" + second).status, 404u);
    EXPECT_EQ(listed(port, account).count(other), 0u);

    // An hour later (the link made an hour ago): expired, listed no more,
    // pruned, and sharing again makes a new link.
    ASSERT_EQ(request(port, "GET", "/c/" + id).status, 200u);
    {
        auto db = open_database(db_url_);
        *db << "UPDATE conversation_shares SET created_at = created_at - 3601";
    }
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 404u);
    EXPECT_TRUE(listed(port, account).empty());
    EXPECT_TRUE(eventually([&] { return rows("SELECT COUNT(*) FROM conversation_shares") == 0; }, 10s))
        << "retention deletes expired links";
    auto again = share_id_of(call(port, "POST", share_path(), {}, account));
    EXPECT_NE(again, id);
    EXPECT_EQ(request(port, "GET", "/c/" + again).status, 200u);
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 404u) << "an expired link stays dead";

    // An anonymous reader's link: the earlier of its lifetime and retention.
    auto token = anon(port);
    ask(port, token, "What is embodied AI?");
    auto anonymous = call(port, "POST", share_path(), {}, token);
    share_id_of(anonymous);
    EXPECT_EQ(unix_of(anonymous.str("expires_at")) - unix_of(anonymous.str("created_at")), 3600);
}

TEST_P(shares, a_shorter_retention_ends_an_anonymous_link_first)
{
    auto port = start({{"SHARE_LINK_LIFETIME", "60d"}, {"RETENTION_ANONYMOUS_CHATS", "2d"}});
    auto token = anon(port);
    ask(port, token, "What is embodied AI?");
    auto made = call(port, "POST", share_path(), {}, token);
    share_id_of(made);
    auto span = unix_of(made.str("expires_at")) - unix_of(made.str("created_at"));
    EXPECT_GE(span, 2 * 86400 - 2) << made.raw.body;
    EXPECT_LE(span, 2 * 86400 + 2) << made.raw.body;
    auto live = listed(port, token);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[conversation].second, made.str("expires_at"));
}

// After migrate-session an account holds two rows under one name, each
// perhaps with its link: one link survives, sharing gives it, and its page
// shows what GET /chat/history shows, both rows' messages.
TEST_P(shares, a_conversation_merged_by_migrate_session_has_one_link_showing_all_of_it)
{
    auto port = start();
    auto account = sign_in(port, unique_email("merge"));
    ask(port, account, "Asked while signed in?");
    auto account_link = share_id_of(call(port, "POST", share_path(), {}, account));
    auto token = anon(port);
    ask(port, token, "Asked before signing in?");
    {
        // The anonymous link is the newer one whatever the clock's second.
        auto anonymous_link = share_id_of(call(port, "POST", share_path(), {}, token));
        auto db = open_database(db_url_);
        *db << "UPDATE conversation_shares SET created_at = created_at - 10 WHERE conversation_id IN "
               "(SELECT id FROM conversations WHERE user_id IS NOT NULL)";
        auto moved = call(port, "POST", "/api/v1/auth/migrate-session",
                          boost::json::serialize(boost::json::object{{"anon_token", token}}), account);
        ASSERT_EQ(moved.status(), 200u) << moved.raw.body;
        EXPECT_EQ(rows("SELECT COUNT(*) FROM conversations WHERE client_key = '" + std::string(conversation) + "'"), 2);
        EXPECT_EQ(rows("SELECT COUNT(*) FROM conversation_shares"), 1) << "one link per conversation";
        EXPECT_EQ(request(port, "GET", "/c/" + account_link).status, 404u) << "the older link ends";
        account_link = anonymous_link;
    }
    EXPECT_EQ(share_id_of(call(port, "POST", share_path(), {}, account)), account_link) << "sharing gives the one link";
    EXPECT_EQ(listed(port, account).size(), 1u);

    auto history = call(port, "GET", "/api/v1/chat/history", {}, account);
    ASSERT_EQ(history.status(), 200u);
    auto page = request(port, "GET", "/c/" + account_link);
    ASSERT_EQ(page.status, 200u);
    std::size_t questions = 0;
    for (const auto& m : history.json.at("messages").as_array()) {
        if (m.at("role") != "user")
            continue;
        ++questions;
        EXPECT_NE(page.body.find(std::string(m.at("content").as_string())), std::string::npos)
            << m.at("content") << " is in the history but not on the page";
    }
    EXPECT_EQ(questions, 2u) << history.raw.body;

    EXPECT_EQ(call(port, "DELETE", share_path(), {}, account).status(), 204u);
    EXPECT_EQ(rows("SELECT COUNT(*) FROM conversation_shares"), 0) << "one revoke ends it for both rows";
    EXPECT_EQ(request(port, "GET", "/c/" + account_link).status, 404u);
}

// 100 turns with 64 KiB answers once made a 17.5 MB page built on the I/O
// thread per view; the page now stops at the newest that fit in 512 KiB of
// text and says so.
TEST_P(shares, a_huge_conversation_gives_a_bounded_page)
{
    auto port = start();
    auto token = anon(port);
    auto id = asked_and_shared(port, token);
    {
        auto db = open_database(db_url_);
        std::string conv;
        *db << "SELECT id FROM conversations", soci::into(conv);
        long long at = (static_cast<long long>(std::time(nullptr)) - 3600) * 1000;
        const std::string answer(64 * 1024 - 16, 'x');
        soci::transaction tx(*db);
        for (int turn = 0; turn < 100; ++turn) {
            auto n = std::to_string(turn);
            std::string qid = "huge-" + n + "-q", aid = "huge-" + n + "-a", question = "Question number " + n + "?",
                        content = "Answer " + n + ": " + answer;
            long long q_at = at + turn * 10, a_at = at + turn * 10 + 1;
            *db << "INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES "
                   "(:id, :conv, 'user', :content, :at)",
                soci::use(qid), soci::use(conv), soci::use(question), soci::use(q_at);
            *db << "INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES "
                   "(:id, :conv, 'assistant', :content, :at)",
                soci::use(aid), soci::use(conv), soci::use(content), soci::use(a_at);
        }
        tx.commit();
    }
    auto started = std::chrono::steady_clock::now();
    auto page = request(port, "GET", "/c/" + id);
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(page.status, 200u);
    EXPECT_LT(page.body.size(), 600u * 1024) << "bounded, not 6.5 MB";
    EXPECT_GT(page.body.size(), 400u * 1024) << "as much as fits";
    EXPECT_NE(page.body.find("Earlier messages are not shown"), std::string::npos);
    EXPECT_NE(page.body.find("Question number 99?"), std::string::npos) << "the newest are shown";
    EXPECT_NE(page.body.find("Answer 99: "), std::string::npos);
    EXPECT_EQ(page.body.find("Question number 0?"), std::string::npos) << "the oldest are not";
    EXPECT_NE(page.body.find("What is embodied AI?"), std::string::npos) << "asked last";
    EXPECT_LT(took, 2s);
}

// Shares and revokes of one conversation at once, on several connections:
// every link a share hands out is one the database held (a trigger logs
// each hash stored), never a fresh id whose insert lost to another share
// after a revoke in between.
TEST_P(shares, a_share_and_revoke_storm_hands_out_only_stored_links)
{
    auto port = start({{"DB_POOL", "8"}});
    auto token = anon(port);
    ask(port, token, "What is embodied AI?");
    {
        auto db = open_database(db_url_);
        *db << "CREATE TABLE share_log (hash TEXT NOT NULL)";
        if (GetParam() == "postgresql") {
            *db << "CREATE FUNCTION log_share() RETURNS trigger AS $$ BEGIN INSERT INTO share_log VALUES "
                   "(NEW.token_hash); RETURN NEW; END $$ LANGUAGE plpgsql";
            *db << "CREATE TRIGGER share_logged AFTER INSERT OR UPDATE ON conversation_shares FOR EACH ROW "
                   "EXECUTE FUNCTION log_share()";
        } else {
            *db << "CREATE TRIGGER share_inserted AFTER INSERT ON conversation_shares BEGIN INSERT INTO share_log "
                   "VALUES (NEW.token_hash); END";
            *db << "CREATE TRIGGER share_updated AFTER UPDATE ON conversation_shares BEGIN INSERT INTO share_log "
                   "VALUES (NEW.token_hash); END";
        }
    }
    std::mutex mutex;
    std::set<std::string> handed_out;
    std::atomic<int> failures{0};
    auto until = std::chrono::steady_clock::now() + 4s;
    std::vector<std::thread> clients;
    for (int i = 0; i < 8; ++i)
        clients.emplace_back([&, sharer = i % 2 == 0] {
            while (std::chrono::steady_clock::now() < until) {
                auto r = call(port, sharer ? "POST" : "DELETE", share_path(), {}, token);
                if (r.status() != (sharer ? 200u : 204u)) {
                    ++failures;
                    continue;
                }
                if (sharer) {
                    std::lock_guard lock(mutex);
                    handed_out.insert(r.str("share_id"));
                }
            }
        });
    for (auto& c : clients)
        c.join();
    EXPECT_EQ(failures.load(), 0);
    ASSERT_GT(handed_out.size(), 10u) << "the storm shared and revoked";
    chatkit::security::keyring keys(secret);
    auto db = open_database(db_url_);
    std::size_t never_stored = 0;
    for (const auto& id : handed_out)
        if (query_number(*db, "SELECT COUNT(*) FROM share_log WHERE hash = '" + keys.token_hash(id) + "'") == 0)
            ++never_stored;
    EXPECT_EQ(never_stored, 0u) << "of " << handed_out.size() << " links handed out";
}

TEST_P(shares, views_of_shared_pages_are_limited_per_client)
{
    auto port = start({{"RATE_SHARED_PAGE", "3/minute"}});
    auto token = anon(port);
    auto id = asked_and_shared(port, token);
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 200u);
    EXPECT_EQ(request(port, "GET", "/c/nope").status, 404u) << "counted too: the limit bounds guessing";
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 200u);
    auto limited = request(port, "GET", "/c/" + id);
    EXPECT_EQ(limited.status, 429u) << limited.body;
    EXPECT_FALSE(limited.header("retry-after").empty());
}

INSTANTIATE_TEST_SUITE_P(backends, shares, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
