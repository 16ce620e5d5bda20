// API.md "Shared conversations" over real sockets, on SQLite and on
// PostgreSQL: the owner of a conversation makes a read-only link (the same
// one again while it lives) and revokes it; the page behind it is HTML that
// runs nothing, escapes what was asked and stays out of search engines; the
// link dies with its conversation (retention, account deletion), is never
// written to a log, works on another instance, and its views are limited.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <ctime>
#include <optional>
#include <regex>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
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
        auto env = dev_env();
        env["DATABASE_URL"] = db_url_;
        env["SECRET_KEY"] = secret;
        env["RATE_ANONYMOUS"] = "unlimited";
        env["RATE_ANONYMOUS_IP"] = "unlimited";
        if (auto smtp = smtp_url())
            env["SMTP_URL"] = *smtp;
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
    ask(port, owner, "What is embodied AI?");
    auto id = share_id_of(call(port, "POST", share_path(), {}, owner));

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
    ask(port, token, "What is embodied AI?");
    auto id = share_id_of(call(port, "POST", share_path(), {}, token));
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
    EXPECT_TRUE(made.json.at("expires_at").is_null()) << "an account's conversation is kept until deleted";
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

TEST_P(shares, views_of_shared_pages_are_limited_per_client)
{
    auto port = start({{"RATE_SHARED_PAGE", "3/minute"}});
    auto token = anon(port);
    ask(port, token, "What is embodied AI?");
    auto id = share_id_of(call(port, "POST", share_path(), {}, token));
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 200u);
    EXPECT_EQ(request(port, "GET", "/c/nope").status, 404u) << "counted too: the limit bounds guessing";
    EXPECT_EQ(request(port, "GET", "/c/" + id).status, 200u);
    auto limited = request(port, "GET", "/c/" + id);
    EXPECT_EQ(limited.status, 429u) << limited.body;
    EXPECT_FALSE(limited.header("retry-after").empty());
}

INSTANTIATE_TEST_SUITE_P(backends, shares, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
