// The whole sign-in cycle many times over, concurrently, against a real SMTP
// sink: sign up, the mail arrives, verify, check, refresh, and the old token
// is dead at once. A black-box suite saw a mail miss its 12 s and a rotated
// token still accepted; this counts both, on SQLite and on PostgreSQL.
#include "support/api.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

class identity_stress : public ::testing::TestWithParam<std::string> {};

std::string param_name(const ::testing::TestParamInfo<std::string>& info)
{
    return info.param;
}

} // namespace

TEST_P(identity_stress, five_hundred_sign_in_cycles_lose_no_mail_and_leave_no_stale_token)
{
    const bool production = GetParam().ends_with("_production");
    const auto backend = GetParam().substr(0, GetParam().find('_'));
    if (backend == "postgresql" && !postgres_admin_url())
        GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    auto smtp = smtp_url();
    if (!smtp)
        GTEST_SKIP() << "no SMTP sink (run through scripts/test)";
    // Production as the black-box suite ran it: two I/O threads, and a
    // trusted proxy that says the client used HTTPS.
    auto env = production ? production_env() : dev_env();
    env["DATABASE_URL"] = fresh_database(backend);
    env["SECRET_KEY"] = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
    env["SMTP_URL"] = *smtp;
    env["RATE_VERIFY_EMAIL_IP"] = "unlimited";
    env["RATE_VERIFY_EMAIL_ADDRESS"] = "unlimited";
    env["RATE_ANONYMOUS_SESSIONS_IP"] = "unlimited";
    server_process server({}, env);
    auto port = server.wait_until_listening();
    ASSERT_TRUE(port) << server.output();

    constexpr int workers = 8, cycles_each = 63;
    std::atomic<int> missed_mail{0}, stale{0}, refused{0}, done{0};
    std::mutex m;
    std::vector<std::string> problems;
    auto note = [&](std::string what) {
        std::lock_guard lock(m);
        if (problems.size() < 10)
            problems.push_back(std::move(what));
    };
    const std::vector<std::pair<std::string, std::string>> https{{"X-Forwarded-Proto", "https"}};
    auto api = [&](std::string_view method, std::string_view path, const std::string& body = {},
                   const std::string& token = {}) {
        return call(*port, method, path, body, token, https);
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w)
        threads.emplace_back([&, w] {
            for (int i = 0; i < cycles_each; ++i) {
                auto email = unique_email("stress" + std::to_string(w) + "-" + std::to_string(i));
                auto signup =
                    api("POST", "/api/v1/auth/signup",
                        boost::json::serialize(boost::json::object{{"email", email}, {"consent_data_storage", true}}));
                if (signup.status() != 200u) {
                    ++refused;
                    note("signup " + std::to_string(signup.status()) + " " + signup.raw.body);
                    continue;
                }
                auto mail = wait_for_mail(email, 12s);
                if (!mail) {
                    ++missed_mail;
                    note("no mail within 12 s for " + email);
                    continue;
                }
                auto verified = api("POST", "/api/v1/auth/verify",
                                    boost::json::serialize(boost::json::object{{"token", verify_token_in(*mail)}}));
                auto session = verified.str("session_token");
                if (verified.status() != 200u ||
                    api("GET", "/api/v1/auth/session-check", {}, session).status() != 200u) {
                    ++refused;
                    note("verify or first check failed: " + verified.raw.body);
                    continue;
                }
                auto rotated = api("POST", "/api/v1/auth/refresh-token", {}, session).str("token");
                auto old = api("GET", "/api/v1/auth/session-check", {}, session).status();
                auto fresh = api("GET", "/api/v1/auth/session-check", {}, rotated).status();
                if (old != 401u) {
                    ++stale;
                    note("the rotated token answered " + std::to_string(old));
                }
                if (fresh != 200u) {
                    ++refused;
                    note("the new token answered " + std::to_string(fresh));
                }
                ++done;
            }
        });
    for (auto& t : threads)
        t.join();
    std::string all;
    for (const auto& p : problems)
        all += p + "\n";
    EXPECT_EQ(missed_mail.load(), 0) << all;
    EXPECT_EQ(stale.load(), 0) << all;
    EXPECT_EQ(refused.load(), 0) << all;
    EXPECT_EQ(done.load(), workers * cycles_each) << all;
}

INSTANTIATE_TEST_SUITE_P(backends, identity_stress,
                         ::testing::Values("sqlite", "sqlite_production", "postgresql_production"), param_name);
