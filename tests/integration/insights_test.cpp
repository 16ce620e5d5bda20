// The docs team's insights on the admin listener, over the shared database:
// questions, refusals grouped, answers rated down, citations, as JSON, CSV
// and a page; never on the public port; ADMIN_TOKEN when set.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

std::uint16_t admin_port_of(const server_process& p)
{
    std::smatch m;
    auto out = p.output();
    if (!std::regex_search(out, m, std::regex(R"(admin listener on http://127\.0\.0\.1:(\d+))")))
        return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

class insights : public ::testing::TestWithParam<std::string> {};

std::string param_name(const ::testing::TestParamInfo<std::string>& info)
{
    return info.param;
}

} // namespace

TEST_P(insights, show_what_readers_asked_what_was_refused_and_what_they_rated_down)
{
    if (GetParam() == "postgresql" && !postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto env = dev_env();
    env["DATABASE_URL"] = fresh_database(GetParam());
    env["SECRET_KEY"] = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
    env["ADMIN_BIND"] = "127.0.0.1:0";
    server_process asked_on({}, env);
    auto port = asked_on.wait_until_listening();
    ASSERT_TRUE(port) << asked_on.output();
    // On PostgreSQL a second instance reads what the first one stored.
    std::unique_ptr<server_process> other;
    if (GetParam() == "postgresql") {
        other = std::make_unique<server_process>(std::vector<std::string>{}, env);
        ASSERT_TRUE(other->wait_until_listening()) << other->output();
    }
    auto admin = admin_port_of(other ? *other : asked_on);
    ASSERT_NE(admin, 0) << asked_on.output();

    auto token = call(*port, "POST", "/api/v1/auth/anonymous").str("anon_token");
    auto answered = call(*port, "POST", "/api/v1/chat", ask("What is embodied AI?"), token).str("message_id");
    for (int i = 0; i < 2; ++i)
        ASSERT_EQ(
            call(*port, "POST", "/api/v1/chat", ask("How do I bake sourdough bread? Write to jo@example.com"), token)
                .status(),
            200u);
    ASSERT_EQ(call(*port, "POST", "/api/v1/chat/feedback",
                   boost::json::serialize(boost::json::object{
                       {"message_id", answered}, {"rating", "down"}, {"comment", "It never says what a body is."}}),
                   token)
                  .status(),
              204u);
    ASSERT_TRUE(
        eventually([&] { return query_number(env["DATABASE_URL"], "SELECT COUNT(*) FROM messages") >= 6; }, 5s));

    auto report = call(admin, "GET", "/admin/api/insights");
    ASSERT_EQ(report.status(), 200u) << report.raw.body;
    const auto& r = report.json.as_object();
    EXPECT_EQ(r.at("questions").as_int64(), 3);
    EXPECT_EQ(r.at("answered").as_int64(), 1);
    EXPECT_EQ(r.at("refused").as_int64(), 2);
    const auto& gap = r.at("refused_groups").at(0).as_object();
    EXPECT_EQ(gap.at("count").as_int64(), 2) << "the same question twice is one gap";
    auto example = std::string(gap.at("examples").at(0).as_string());
    EXPECT_NE(example.find("[email]"), std::string::npos) << example;
    EXPECT_EQ(example.find("jo@example.com"), std::string::npos) << "addresses are masked";
    const auto& down = r.at("thumbs_down").at(0).as_object();
    EXPECT_EQ(down.at("question").as_string(), "What is embodied AI?");
    EXPECT_EQ(down.at("comment").as_string(), "It never says what a body is.");
    EXPECT_FALSE(down.at("sources").as_array().empty());
    EXPECT_FALSE(r.at("most_cited").as_array().empty());
    EXPECT_FALSE(r.at("never_cited").as_array().empty());

    auto csv = call(admin, "GET", "/admin/api/insights?format=csv&table=refused_groups");
    EXPECT_EQ(csv.status(), 200u);
    EXPECT_EQ(csv.raw.header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.raw.body.rfind("\"terms\",\"count\",\"examples\"\r\n", 0), 0u) << csv.raw.body;
    EXPECT_EQ(call(admin, "GET", "/admin/api/insights?format=csv&table=users").status(), 400u);
    EXPECT_EQ(call(admin, "GET", "/admin/api/insights?from=yesterday").status(), 400u);

    auto page = call(admin, "GET", "/admin/insights");
    EXPECT_EQ(page.status(), 200u);
    EXPECT_NE(page.raw.header("content-security-policy").find("default-src 'none'"), std::string::npos);
    EXPECT_NE(page.raw.body.find("What readers ask that the docs don't cover"), std::string::npos)
        << page.raw.body.substr(0, 600);
    EXPECT_EQ(page.raw.body.find("jo@example.com"), std::string::npos);

    EXPECT_EQ(call(*port, "GET", "/admin/api/insights").status(), 404u) << "never on the public port";
    EXPECT_EQ(call(*port, "GET", "/admin/insights").status(), 404u);
}

INSTANTIATE_TEST_SUITE_P(backends, insights, ::testing::Values("sqlite", "postgresql"), param_name);

TEST(insights_token, with_admin_token_the_insights_want_it)
{
    auto env = dev_env();
    env["ADMIN_BIND"] = "127.0.0.1:0";
    env["ADMIN_TOKEN"] = "a-long-admin-token-for-the-docs-team-0123456789";
    server_process p({}, env);
    ASSERT_TRUE(p.wait_until_listening()) << p.output();
    auto admin = admin_port_of(p);
    ASSERT_NE(admin, 0u);
    EXPECT_EQ(call(admin, "GET", "/admin/api/insights").status(), 401u);
    EXPECT_EQ(call(admin, "GET", "/admin/api/insights", {}, "wrong-token").status(), 401u);
    EXPECT_EQ(call(admin, "GET", "/admin/api/insights", {}, env["ADMIN_TOKEN"]).status(), 200u);
}
