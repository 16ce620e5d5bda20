// A reader's rights over what is kept about them: `user export` gives all of
// it as JSON, and DELETE /api/v1/user or `user delete` removes all of it;
// the deleted user's tokens die on every instance.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>
#include <map>
#include <string>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";

std::string json(const boost::json::object& o)
{
    return boost::json::serialize(o);
}

// Signs up on `port`, takes the link from the sink, verifies: the session token.
std::string sign_in(std::uint16_t port, const std::string& email)
{
    EXPECT_EQ(
        call(port, "POST", "/api/v1/auth/signup", json({{"email", email}, {"consent_data_storage", true}})).status(),
        200u);
    auto mail = wait_for_mail(email);
    EXPECT_TRUE(mail) << "no mail for " << email;
    auto v = call(port, "POST", "/api/v1/auth/verify", json({{"token", verify_token_in(mail.value_or(""))}}));
    EXPECT_EQ(v.status(), 200u) << v.raw.body;
    return v.str("session_token");
}

struct cli_result {
    int exit_code;
    std::string output;
};

cli_result cli(std::vector<std::string> args, std::map<std::string, std::string> env)
{
    server_process p(std::move(args), std::move(env));
    auto code = p.wait_exit(20s);
    return {code.value_or(-1), p.output()};
}

long long rows(const std::string& db_url, const std::string& sql)
{
    auto db = open_database(db_url);
    long long n = -1;
    *db << sql, soci::into(n);
    return n;
}

class account : public ::testing::TestWithParam<std::string> {};

std::string param_name(const ::testing::TestParamInfo<std::string>& info)
{
    return info.param;
}

} // namespace

TEST_P(account, export_holds_what_is_kept_and_delete_removes_it_all)
{
    if (GetParam() == "postgresql" && !postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto smtp = smtp_url();
    if (!smtp)
        GTEST_SKIP() << "no SMTP sink (run through scripts/test)";
    auto env = dev_env();
    env["DATABASE_URL"] = fresh_database(GetParam());
    env["SECRET_KEY"] = secret;
    env["SMTP_URL"] = *smtp;
    server_process server({}, env);
    auto port = server.wait_until_listening();
    ASSERT_TRUE(port) << server.output();

    auto email = unique_email("gdpr");
    auto token = sign_in(*port, email);
    boost::json::object conversation{{"session_id", "550e8400-e29b-41d4-a716-446655440009"}};
    ASSERT_EQ(call(*port, "POST", "/api/v1/chat",
                   json({{"message", "What is embodied AI?"}, {"context", conversation}}), token)
                  .status(),
              200u);
    ASSERT_EQ(call(*port, "POST", "/api/v1/chat/save",
                   json({{"title", "Robots"}, {"messages", boost::json::array{{{"role", "user"}, {"content", "Hi"}}}}}),
                   token)
                  .status(),
              200u);
    ASSERT_TRUE(eventually([&] { return rows(env["DATABASE_URL"], "SELECT COUNT(*) FROM messages") >= 2; }, 5s));

    auto exported = cli({"user", "export", email}, env);
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    auto doc = boost::json::parse(exported.output.substr(exported.output.find('{'))).as_object();
    EXPECT_EQ(doc.at("user").at("email").as_string(), email.c_str());
    EXPECT_EQ(doc.at("saved_chats").at(0).at("title").as_string(), "Robots");
    EXPECT_EQ(doc.at("conversations").at(0).at("messages").at(0).at("content").as_string(), "What is embodied AI?");
    EXPECT_EQ(exported.output.find("token_hash"), std::string::npos) << "never a token's hash";

    auto anon = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
    EXPECT_EQ(call(*port, "DELETE", "/api/v1/user", {}, anon).status(), 401u) << "an anonymous token has no account";
    EXPECT_EQ(call(*port, "DELETE", "/api/v1/user", {}, token).status(), 204u);
    EXPECT_EQ(call(*port, "GET", "/api/v1/auth/session-check", {}, token).status(), 401u);
    for (const char* table : {"users", "sessions WHERE user_id IS NOT NULL", "conversations", "messages", "saved_chats",
                              "saved_chat_messages", "verification_tokens"})
        EXPECT_EQ(rows(env["DATABASE_URL"], std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
    EXPECT_EQ(rows(env["DATABASE_URL"], "SELECT COUNT(*) FROM mail_outbox WHERE recipient = '" + email + "'"), 0);
    auto gone = cli({"user", "export", email}, env);
    EXPECT_NE(gone.exit_code, 0);
    EXPECT_NE(gone.output.find("no user with that email"), std::string::npos) << gone.output;
    EXPECT_EQ(call(*port, "GET", "/api/v1/auth/session-check", {}, anon).status(), 200u) << "others keep theirs";
}

INSTANTIATE_TEST_SUITE_P(backends, account, ::testing::Values("sqlite", "postgresql"), param_name);

TEST(account_cluster, a_user_deleted_from_the_command_line_is_refused_by_every_instance_at_once)
{
    if (!postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto smtp = smtp_url();
    if (!smtp)
        GTEST_SKIP() << "no SMTP sink (run through scripts/test)";
    auto env = dev_env();
    env["DATABASE_URL"] = fresh_database("postgresql");
    env["SECRET_KEY"] = secret;
    env["SMTP_URL"] = *smtp;
    server_process a({}, env), b({}, env);
    auto pa = a.wait_until_listening(), pb = b.wait_until_listening();
    ASSERT_TRUE(pa && pb);
    auto email = unique_email("gdpr-cluster");
    auto token = sign_in(*pa, email);
    // Both instances have the session in their caches now.
    ASSERT_EQ(call(*pa, "GET", "/api/v1/auth/session-check", {}, token).status(), 200u);
    ASSERT_EQ(call(*pb, "GET", "/api/v1/auth/session-check", {}, token).status(), 200u);

    auto deleted = cli({"user", "delete", email}, env);
    ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
    for (auto port : {*pa, *pb})
        EXPECT_TRUE(
            eventually([&] { return call(port, "GET", "/api/v1/auth/session-check", {}, token).status() == 401u; }, 1s))
            << "instance on port " << port << " still accepts the deleted user's token";
}
