// API.md "Auth", "Tiers and rate limits", "Email" and "Analytics" over real
// sockets, on SQLite and again on the PostgreSQL that scripts/test starts.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <csignal>
#include <future>
#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

std::string body(const boost::json::object& o)
{
    return boost::json::serialize(o);
}

class auth_api : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override
    {
        if (GetParam() == "postgresql" && !postgres_admin_url())
            GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
    }

    // A server on a fresh database; extra settings override the defaults.
    std::shared_ptr<server_process> start(std::map<std::string, std::string> extra = {})
    {
        auto env = dev_env();
        db_url_ = fresh_database(GetParam());
        env["DATABASE_URL"] = db_url_;
        env["SECRET_KEY"] = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";
        if (auto smtp = smtp_url())
            env["SMTP_URL"] = *smtp;
        for (auto& [k, v] : extra)
            env[k] = v;
        auto p = std::make_shared<server_process>(std::vector<std::string>{}, env);
        last_ = p;
        auto port = p->wait_until_listening();
        EXPECT_TRUE(port) << p->output();
        port_ = port.value_or(0);
        return p;
    }

    void TearDown() override
    {
        if (HasFailure() && last_)
            std::fprintf(stderr, "--- server output ---\n%s\n", last_->output().c_str());
    }

    std::string anonymous_token()
    {
        auto r = call(port_, "POST", "/api/v1/auth/anonymous");
        EXPECT_EQ(r.status(), 200u) << r.raw.body;
        return r.str("anon_token");
    }

    // Signs up, takes the link out of the delivered mail, verifies.
    std::string sign_in(const std::string& email)
    {
        auto r = call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
        EXPECT_EQ(r.status(), 200u) << r.raw.body;
        auto mail = wait_for_mail(email);
        EXPECT_TRUE(mail) << "no mail for " << email;
        auto token = verify_token_in(mail.value_or(""));
        auto v = call(port_, "POST", "/api/v1/auth/verify", body({{"token", token}}));
        EXPECT_EQ(v.status(), 200u) << v.raw.body;
        return v.str("session_token");
    }

    void require_smtp()
    {
        if (!smtp_url())
            GTEST_SKIP() << "no SMTP sink (run through scripts/test)";
    }

    std::uint16_t port_ = 0;
    std::string db_url_;
    std::shared_ptr<server_process> last_;
};

std::string param_name(const ::testing::TestParamInfo<std::string>& info)
{
    return info.param;
}

} // namespace

TEST_P(auth_api, anonymous_session_is_checked_and_carries_no_user)
{
    auto server = start();
    auto r = call(port_, "POST", "/api/v1/auth/anonymous");
    ASSERT_EQ(r.status(), 200u);
    EXPECT_EQ(r.str("anon_token").size(), 43u);
    EXPECT_FALSE(r.str("anon_id").empty());
    EXPECT_EQ(r.str("expires_at").back(), 'Z');
    auto check = call(port_, "GET", "/api/v1/auth/session-check", {}, r.str("anon_token"));
    EXPECT_EQ(check.status(), 200u);
    EXPECT_TRUE(check.json.at("user").is_null());
    EXPECT_EQ(check.str("tier"), "anonymous");
    auto status = call(port_, "GET", "/api/v1/auth/verification-status", {}, r.str("anon_token"));
    EXPECT_EQ(status.json.at("verified"), false);
}

TEST_P(auth_api, signup_by_mail_link_verifies_and_the_session_lives_its_life)
{
    require_smtp();
    auto server = start();
    auto email = unique_email("flow");
    auto session = sign_in(email);
    ASSERT_EQ(session.size(), 43u);

    auto check = call(port_, "GET", "/api/v1/auth/session-check", {}, session);
    ASSERT_EQ(check.status(), 200u) << check.raw.body;
    EXPECT_EQ(check.json.at("valid"), true);
    EXPECT_EQ(check.json.at("user").at("email").as_string(), email.c_str());
    EXPECT_EQ(check.json.at("user").at("tier"), "lightweight");
    EXPECT_EQ(call(port_, "GET", "/api/v1/auth/verification-status", {}, session).json.at("verified"), true);

    auto refreshed = call(port_, "POST", "/api/v1/auth/refresh-token", {}, session);
    ASSERT_EQ(refreshed.status(), 200u);
    auto rotated = refreshed.str("token");
    EXPECT_NE(rotated, session);
    auto old = call(port_, "GET", "/api/v1/auth/session-check", {}, session);
    EXPECT_EQ(old.status(), 401u) << "rotation kills the presented token";
    EXPECT_EQ(old.error_code(), "SESSION_EXPIRED");
    EXPECT_EQ(old.raw.header("www-authenticate"), R"(Bearer error="invalid_token")");

    EXPECT_EQ(call(port_, "GET", "/api/v1/auth/session-check", {}, rotated).status(), 200u);
    auto bye = call(port_, "POST", "/api/v1/auth/logout", {}, rotated);
    EXPECT_EQ(bye.status(), 204u);
    EXPECT_EQ(call(port_, "GET", "/api/v1/auth/session-check", {}, rotated).status(), 401u);
}

TEST_P(auth_api, the_link_returns_to_the_page_only_when_its_origin_is_allowed)
{
    require_smtp();
    start({{"CORS_ORIGINS", "https://docs.example.com"}, {"PUBLIC_VERIFY_URL", "https://chat.example.com/verify"}});
    // The link in the newest mail to a new address, after a signup (and a
    // resend) with `return_url`.
    auto link_for = [&](const std::string& return_url, bool resend) {
        auto email = unique_email("return");
        if (resend) {
            call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
            EXPECT_TRUE(wait_for_mail(email));
        }
        boost::json::object request{{"email", email}, {"return_url", return_url}};
        if (!resend)
            request["consent_data_storage"] = true;
        auto r =
            call(port_, "POST", resend ? "/api/v1/auth/resend-verification" : "/api/v1/auth/signup", body(request));
        EXPECT_EQ(r.status(), 200u) << r.raw.body;
        // The resent mail is the one with a link to a listed page.
        auto mail = wait_for_mail(email, 10s, resend ? return_url + "#" : "").value_or("");
        auto at = mail.find("#chatkit_verify=");
        auto start = mail.rfind('\n', at);
        return mail.substr(start + 1, at - start - 1);
    };
    EXPECT_EQ(link_for("https://docs.example.com/guide/install?tab=2", false),
              "https://docs.example.com/guide/install?tab=2");
    EXPECT_EQ(link_for("https://docs.example.com/faq", true), "https://docs.example.com/faq") << "resend too";
    EXPECT_EQ(link_for("https://evil.example.net/", false), "https://chat.example.com/verify");
    EXPECT_EQ(link_for("http://127.0.0.1:9/page", false), "http://127.0.0.1:9/page") << "development: loopback";
}

TEST_P(auth_api, no_raw_token_is_stored)
{
    require_smtp();
    auto server = start();
    auto email = unique_email("stored");
    auto session = sign_in(email);
    auto anon = anonymous_token();
    auto db = open_database(db_url_);
    for (const auto& [table, columns] : std::vector<std::pair<std::string, std::string>>{
             {"sessions", "token_hash"}, {"verification_tokens", "token_hash"}, {"mail_outbox", "sealed_body"}}) {
        soci::rowset<soci::row> rows = (db->prepare << "SELECT " + columns + " FROM " + table);
        for (const auto& row : rows) {
            if (row.get_indicator(0) == soci::i_null)
                continue;
            auto value = row.get<std::string>(0);
            EXPECT_EQ(value.find(session), std::string::npos) << table;
            EXPECT_EQ(value.find(anon), std::string::npos) << table;
        }
    }
    long long bodies = -1;
    *db << "SELECT COUNT(*) FROM mail_outbox WHERE sealed_body IS NOT NULL", soci::into(bodies);
    EXPECT_EQ(bodies, 0) << "sent mail bodies are wiped";
}

TEST_P(auth_api, signup_answers_the_same_for_unknown_unverified_and_verified_addresses)
{
    require_smtp();
    auto server = start();
    auto verified = unique_email("known");
    static_cast<void>(sign_in(verified));
    auto unverified = unique_email("pending");
    static_cast<void>(
        call(port_, "POST", "/api/v1/auth/signup", body({{"email", unverified}, {"consent_data_storage", true}})));

    std::vector<std::string> bodies;
    for (const auto& email : {unique_email("fresh"), unverified, verified}) {
        auto r = call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
        EXPECT_EQ(r.status(), 200u);
        bodies.push_back(r.raw.body);
        auto resend = call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", email}}));
        EXPECT_EQ(resend.status(), 200u);
        EXPECT_EQ(resend.raw.body, r.raw.body);
    }
    EXPECT_EQ(bodies[0], bodies[1]);
    EXPECT_EQ(bodies[1], bodies[2]);
    EXPECT_EQ(bodies[0], R"({"status":"verification_sent"})");
}

TEST_P(auth_api, signup_validates_email_and_consent)
{
    auto server = start();
    auto bad =
        call(port_, "POST", "/api/v1/auth/signup", body({{"email", "not-an-email"}, {"consent_data_storage", true}}));
    EXPECT_EQ(bad.status(), 400u);
    EXPECT_EQ(bad.error_code(), "INVALID_EMAIL");
    auto injected = call(port_, "POST", "/api/v1/auth/signup",
                         body({{"email", "a@example.com\r\nBcc: victim@example.com"}, {"consent_data_storage", true}}));
    EXPECT_EQ(injected.error_code(), "INVALID_EMAIL");
    // A full-width '@' in the domain: not a valid IDNA2008 label.
    auto lookalike = call(port_, "POST", "/api/v1/auth/signup",
                          body({{"email", "a@example\uFF20evil.com"}, {"consent_data_storage", true}}));
    EXPECT_EQ(lookalike.error_code(), "INVALID_EMAIL");
    auto no_consent =
        call(port_, "POST", "/api/v1/auth/signup", body({{"email", "x@example.com"}, {"consent_data_storage", false}}));
    EXPECT_EQ(no_consent.status(), 400u);
    EXPECT_EQ(no_consent.error_code(), "CONSENT_REQUIRED");
    auto missing = call(port_, "POST", "/api/v1/auth/signup", body({{"consent_data_storage", true}}));
    EXPECT_EQ(missing.error_code(), "INVALID_REQUEST");
    EXPECT_EQ(missing.json.at("error").at("details").at("field"), "email");
    auto wrong_type =
        call(port_, "POST", "/api/v1/auth/signup", body({{"email", "x@example.com"}, {"consent_data_storage", "yes"}}));
    EXPECT_EQ(wrong_type.json.at("error").at("details").at("field"), "consent_data_storage");
}

// docs/api.md "Email addresses": an ASCII label is LDH and nothing more, so
// '--' in its third and fourth place (not "xn--") is valid, as real hosts
// such as r3--sn-abc.googlevideo.com have it; only a label in another
// script, or an A-label, answers to IDNA2008.
TEST_P(auth_api, signup_takes_ascii_labels_with_double_hyphens)
{
    auto server = start();
    for (const char* email : {"user@mail.ab--cd.example.com", "User@R3--SN-ABC.Example.com"}) {
        auto r = call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
        EXPECT_EQ(r.status(), 200u) << email << ": " << r.raw.body;
    }
    EXPECT_TRUE(eventually(
        [&] {
            return query_number(db_url_, "SELECT COUNT(*) FROM verification_tokens WHERE email IN "
                                         "('user@mail.ab--cd.example.com', 'user@r3--sn-abc.example.com')") == 2;
        },
        5s))
        << "both sent a link, to the address lower-cased";
    auto invalid = call(port_, "POST", "/api/v1/auth/signup",
                        body({{"email", "user@xn--zz.example.com"}, {"consent_data_storage", true}}));
    EXPECT_EQ(invalid.error_code(), "INVALID_EMAIL") << "an A-label that is no Punycode";
}

TEST_P(auth_api, verification_tokens_are_single_use_and_expire)
{
    require_smtp();
    auto server = start({{"VERIFY_TOKEN_TTL", "2s"}});
    auto email = unique_email("ttl");
    call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
    auto token = verify_token_in(wait_for_mail(email).value_or(""));
    ASSERT_FALSE(token.empty());
    // Verifying is the only way to look, and it would use the token: wait
    // past the TTL instead. Expiry is in whole seconds, so 2.5 s after a 2 s
    // TTL is always past it, whatever the clock's fraction.
    std::this_thread::sleep_for(2500ms);
    auto expired = call(port_, "POST", "/api/v1/auth/verify", body({{"token", token}}));
    EXPECT_EQ(expired.status(), 400u);
    EXPECT_EQ(expired.error_code(), "TOKEN_EXPIRED");

    EXPECT_EQ(call(port_, "POST", "/api/v1/auth/verify", body({{"token", "short"}})).error_code(), "INVALID_TOKEN");
    EXPECT_EQ(call(port_, "POST", "/api/v1/auth/verify", body({{"token", std::string(43, 'A')}})).error_code(),
              "INVALID_TOKEN");
}

TEST_P(auth_api, a_new_link_invalidates_the_previous_one)
{
    require_smtp();
    auto server = start();
    auto email = unique_email("twice");
    call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
    auto first = verify_token_in(wait_for_mail(email).value_or(""));
    // The sink keeps every message; remember the first, wait for another.
    call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", email}}));
    ASSERT_TRUE(eventually(
        [&] {
            return query_number(db_url_, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = '" + email +
                                             "' AND sent_at IS NOT NULL") == 2;
        },
        5s))
        << "the second link was sent";
    auto r = call(port_, "POST", "/api/v1/auth/verify", body({{"token", first}}));
    EXPECT_EQ(r.error_code(), "INVALID_TOKEN");
}

TEST_P(auth_api, of_racing_verifies_exactly_one_succeeds)
{
    require_smtp();
    auto server = start();
    auto email = unique_email("race");
    call(port_, "POST", "/api/v1/auth/signup", body({{"email", email}, {"consent_data_storage", true}}));
    auto token = verify_token_in(wait_for_mail(email).value_or(""));
    ASSERT_FALSE(token.empty());
    std::vector<std::future<unsigned>> racers;
    for (int i = 0; i < 8; ++i)
        racers.push_back(std::async(std::launch::async, [&] {
            return call(port_, "POST", "/api/v1/auth/verify", body({{"token", token}})).status();
        }));
    int ok = 0, refused = 0;
    for (auto& f : racers) {
        auto s = f.get();
        ok += s == 200;
        refused += s == 400;
    }
    EXPECT_EQ(ok, 1);
    EXPECT_EQ(refused, 7);
}

TEST_P(auth_api, bad_credentials_get_401_in_rfc6750_shape)
{
    auto server = start();
    auto none = call(port_, "GET", "/api/v1/auth/session-check");
    EXPECT_EQ(none.status(), 401u);
    EXPECT_EQ(none.error_code(), "UNAUTHORIZED");
    EXPECT_EQ(none.raw.header("www-authenticate"), "Bearer");

    auto malformed =
        call(port_, "GET", "/api/v1/auth/session-check", {}, {}, {{"Authorization", "Basic dXNlcjpwYXNz"}});
    EXPECT_EQ(malformed.error_code(), "UNAUTHORIZED");

    auto forged = call(port_, "GET", "/api/v1/auth/session-check", {}, std::string(43, 'x'));
    EXPECT_EQ(forged.error_code(), "SESSION_EXPIRED");
    EXPECT_EQ(forged.raw.header("www-authenticate"), R"(Bearer error="invalid_token")");

    auto anon = anonymous_token();
    auto in_query = call(port_, "GET", "/api/v1/auth/session-check?token=" + anon + "&access_token=" + anon);
    EXPECT_EQ(in_query.status(), 401u) << "a token in a query string is never accepted";
}

TEST_P(auth_api, sessions_expire_when_idle)
{
    auto server = start({{"SESSION_IDLE_TIMEOUT", "2s"}});
    auto anon = anonymous_token();
    EXPECT_EQ(call(port_, "GET", "/api/v1/auth/session-check", {}, anon).status(), 200u);
    EXPECT_TRUE(eventually(
        [&] { return call(port_, "GET", "/api/v1/auth/session-check", {}, anon).error_code() == "SESSION_EXPIRED"; },
        6s));
}

TEST_P(auth_api, sessions_expire_at_their_absolute_lifetime_even_when_refreshed)
{
    auto server = start({{"SESSION_LIFETIME", "2s"}});
    auto anon = anonymous_token();
    auto refreshed = call(port_, "POST", "/api/v1/auth/refresh-token", {}, anon);
    ASSERT_EQ(refreshed.status(), 200u);
    auto token = refreshed.str("token");
    EXPECT_TRUE(
        eventually([&] { return call(port_, "GET", "/api/v1/auth/session-check", {}, token).status() == 401u; }, 6s));
}

TEST_P(auth_api, migrate_session_moves_anonymous_history_exactly_once)
{
    require_smtp();
    auto server = start();
    auto anon = call(port_, "POST", "/api/v1/auth/anonymous");
    auto anon_token = anon.str("anon_token");
    {
        auto db = open_database(db_url_);
        std::string conversation = "conv-" + anon.str("anon_id");
        std::string sid = anon.str("anon_id");
        *db << "INSERT INTO conversations (id, session_id, created_at) VALUES (:id, :sid, 1)", soci::use(conversation),
            soci::use(sid);
        for (int i = 0; i < 3; ++i) {
            std::string id = conversation + "-" + std::to_string(i);
            std::string role = i % 2 ? "assistant" : "user";
            std::string content = "message " + std::to_string(i);
            long long at = 10 + i;
            *db << "INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES (:id, :c, :r, :t, :a)",
                soci::use(id), soci::use(conversation), soci::use(role), soci::use(content), soci::use(at);
        }
    }
    auto user = sign_in(unique_email("migrate"));

    auto by_anonymous =
        call(port_, "POST", "/api/v1/auth/migrate-session", body({{"anon_token", anon_token}}), anon_token);
    EXPECT_EQ(by_anonymous.status(), 401u) << "only a user token can migrate";

    std::vector<std::future<std::pair<unsigned, std::string>>> racers;
    for (int i = 0; i < 4; ++i)
        racers.push_back(std::async(std::launch::async, [&] {
            auto r = call(port_, "POST", "/api/v1/auth/migrate-session", body({{"anon_token", anon_token}}), user);
            return std::make_pair(r.status(), r.raw.body);
        }));
    int ok = 0, not_found = 0;
    for (auto& f : racers) {
        auto [status, text] = f.get();
        if (status == 200) {
            ++ok;
            EXPECT_EQ(text, R"({"migrated_messages":3})");
        }
        not_found += status == 404;
    }
    EXPECT_EQ(ok, 1);
    EXPECT_EQ(not_found, 3);
    EXPECT_EQ(call(port_, "GET", "/api/v1/auth/session-check", {}, anon_token).status(), 401u)
        << "the anonymous token stops working";
    auto forged =
        call(port_, "POST", "/api/v1/auth/migrate-session", body({{"anon_token", std::string(43, 'q')}}), user);
    EXPECT_EQ(forged.error_code(), "SESSION_NOT_FOUND");

    auto db = open_database(db_url_);
    long long saved = 0;
    *db << "SELECT COUNT(*) FROM saved_chat_messages", soci::into(saved);
    EXPECT_EQ(saved, 3);
}

TEST_P(auth_api, verification_mail_is_limited_per_address_and_the_429_is_complete)
{
    auto server = start({{"RATE_VERIFY_EMAIL_ADDRESS", "2/day"}});
    auto email = unique_email("limited");
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", email}})).status(), 200u);
    auto limited = call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", email}}), {},
                        {{"Origin", "http://localhost:8000"}});
    EXPECT_EQ(limited.status(), 429u);
    EXPECT_EQ(limited.error_code(), "RATE_LIMIT_EXCEEDED");
    auto retry = std::stol(limited.raw.header("retry-after"));
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, 86400);
    EXPECT_EQ(limited.json.at("error").at("details").at("retry_after").as_int64(), retry);
    EXPECT_EQ(limited.json.at("error").at("details").at("limit"), "2 requests per day (verification mail per address)");
    EXPECT_EQ(limited.raw.header("access-control-allow-origin"), "http://localhost:8000");
    EXPECT_EQ(limited.raw.header("x-content-type-options"), "nosniff");
    // Another address is not affected.
    EXPECT_EQ(
        call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", unique_email("other")}})).status(),
        200u);
}

TEST_P(auth_api, verification_mail_is_limited_per_ip)
{
    auto server = start({{"RATE_VERIFY_EMAIL_IP", "3/day"}});
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(
            call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", unique_email("ip")}})).status(),
            200u);
    auto limited = call(port_, "POST", "/api/v1/auth/resend-verification", body({{"email", unique_email("ip")}}));
    EXPECT_EQ(limited.status(), 429u);
    EXPECT_NE(limited.json.at("error").at("details").at("limit").as_string().find("per IP"), std::string::npos);
}

TEST_P(auth_api, analytics_events_are_validated_and_attributed)
{
    require_smtp();
    auto server = start();
    auto ok = call(port_, "POST", "/api/v1/analytics/event",
                   body({{"event_type", "widget_loaded"}, {"event_data", {{"page", "/x"}}}}));
    EXPECT_EQ(ok.status(), 200u);
    EXPECT_FALSE(ok.str("event_id").empty());
    EXPECT_EQ(ok.str("logged_at").back(), 'Z');

    EXPECT_EQ(call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", "Bad-Type"}}))
                  .json.at("error")
                  .at("details")
                  .at("field"),
              "event_type");
    EXPECT_EQ(call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", std::string(65, 'a')}})).status(),
              400u);
    EXPECT_EQ(call(port_, "POST", "/api/v1/analytics/event",
                   body({{"event_type", "big"}, {"event_data", {{"blob", std::string(5000, 'x')}}}}))
                  .json.at("error")
                  .at("details")
                  .at("field"),
              "event_data");
    EXPECT_EQ(
        call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", "x"}, {"event_data", "str"}})).status(),
        400u);

    auto user = sign_in(unique_email("events"));
    EXPECT_EQ(call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", "message_sent"}}), user).status(),
              200u);
    // Batches are written every 250 ms; wait for them rather than guess.
    auto db = open_database(db_url_);
    long long attributed = 0, anonymous = 0;
    for (int i = 0; i < 100 && (attributed == 0 || anonymous == 0); ++i) {
        std::this_thread::sleep_for(50ms);
        *db << "SELECT COUNT(*) FROM analytics_events WHERE event_type = 'message_sent' AND user_id IS NOT NULL",
            soci::into(attributed);
        *db << "SELECT COUNT(*) FROM analytics_events WHERE event_type = 'widget_loaded' AND user_id IS NULL",
            soci::into(anonymous);
    }
    EXPECT_EQ(attributed, 1);
    EXPECT_EQ(anonymous, 1);
}

TEST_P(auth_api, per_ip_limits_count_an_ipv6_client_by_its_64_bit_prefix)
{
    auto server = start({{"RATE_ANONYMOUS_SESSIONS_IP", "5/day"}, {"TRUSTED_PROXIES", "127.0.0.1"}});
    auto from = [&](const std::string& ip) {
        return call(port_, "POST", "/api/v1/auth/anonymous", {}, {}, {{"X-Forwarded-For", ip}}).status();
    };
    for (int i = 1; i <= 5; ++i)
        EXPECT_EQ(from("2001:db8:1:2::" + std::to_string(i)), 200u);
    EXPECT_EQ(from("2001:db8:1:2:ffff:ffff:ffff:ffff"), 429u) << "another address of the same /64";
    EXPECT_EQ(from("2001:db8:1:3::1"), 200u) << "the next /64 is another client";
}

TEST_P(auth_api, analytics_take_batches_all_or_none_and_a_client_gets_its_limit)
{
    auto server = start({{"RATE_ANALYTICS", "30/day"}});
    auto batch = [](int n, bool one_bad) {
        boost::json::array events;
        for (int i = 0; i < n; ++i)
            events.push_back(boost::json::object{{"event_type", one_bad && i == n - 1 ? "Bad" : "chat_message"},
                                                 {"event_data", {{"i", i}}}});
        return boost::json::serialize(boost::json::object{{"events", events}});
    };
    auto ok = call(port_, "POST", "/api/v1/analytics/event", batch(20, false));
    ASSERT_EQ(ok.status(), 200u) << ok.raw.body;
    EXPECT_EQ(ok.json.at("event_ids").as_array().size(), 20u);
    auto too_many = call(port_, "POST", "/api/v1/analytics/event", batch(21, false));
    EXPECT_EQ(too_many.json.at("error").at("details").at("field"), "events");
    auto bad = call(port_, "POST", "/api/v1/analytics/event", batch(3, true));
    EXPECT_EQ(bad.json.at("error").at("details").at("field"), "events[2].event_type");
    // 20 counted; 10 more fit, the 11th does not, and a batch counts each event.
    EXPECT_EQ(call(port_, "POST", "/api/v1/analytics/event", batch(10, false)).status(), 200u);
    auto limited = call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", "x"}}));
    EXPECT_EQ(limited.status(), 429u);
    EXPECT_EQ(limited.error_code(), "RATE_LIMIT_EXCEEDED");
    EXPECT_FALSE(limited.raw.header("retry-after").empty());
    auto token = anonymous_token();
    EXPECT_EQ(call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", "x"}}), token).status(), 200u)
        << "a token is its own client";
    auto db = open_database(db_url_);
    long long stored = 0;
    EXPECT_TRUE(eventually(
        [&] {
            *db << "SELECT COUNT(*) FROM analytics_events", soci::into(stored);
            return stored == 31;
        },
        5s))
        << stored << " stored: none of the refused batches";
}

TEST_P(auth_api, twenty_concurrent_writers_get_no_500)
{
    auto server = start({{"RATE_ANONYMOUS_SESSIONS_IP", "unlimited"},
                         {"RATE_VERIFY_EMAIL_IP", "unlimited"},
                         {"RATE_ANALYTICS", "unlimited"}});
    std::atomic<int> failures{0}, done{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 20; ++w)
        writers.emplace_back([&, w] {
            for (int i = 0; i < 10; ++i) {
                unsigned s = 0;
                switch ((w + i) % 3) {
                case 0:
                    s = call(port_, "POST", "/api/v1/auth/anonymous").status();
                    break;
                case 1:
                    s = call(port_, "POST", "/api/v1/analytics/event", body({{"event_type", "load"}})).status();
                    break;
                default:
                    s = call(port_, "POST", "/api/v1/auth/signup",
                             body({{"email", unique_email("w")}, {"consent_data_storage", true}}))
                            .status();
                }
                if (s != 200)
                    ++failures;
                ++done;
            }
        });
    for (auto& t : writers)
        t.join();
    EXPECT_EQ(done.load(), 200);
    EXPECT_EQ(failures.load(), 0);
}

TEST_P(auth_api, operators_set_tiers_and_revoke_sessions)
{
    require_smtp();
    auto server = start();
    auto email = unique_email("operator");
    auto session = sign_in(email);
    auto run_admin = [&](std::vector<std::string> args) {
        server_process admin(std::move(args), {{"DATABASE_URL", db_url_}});
        return std::make_pair(admin.wait_exit(20s).value_or(-1), admin.output());
    };
    auto [code, out] = run_admin({"user", "set-tier", email, "premium"});
    EXPECT_EQ(code, 0) << out;
    // Another process changed it: on PostgreSQL the instance hears of it by
    // a notice (cluster_test holds that to 100 ms).
    EXPECT_TRUE(eventually(
        [&] {
            auto check = call(port_, "GET", "/api/v1/auth/session-check", {}, session);
            return check.status() == 200u && check.json.at("user").at("tier") == "premium";
        },
        1s));
    EXPECT_NE(run_admin({"user", "set-tier", email, "emperor"}).first, 0);
    EXPECT_NE(run_admin({"user", "set-tier", "nobody@example.com", "full"}).first, 0);
    auto [revoke_code, revoke_out] = run_admin({"user", "revoke-sessions", email});
    EXPECT_EQ(revoke_code, 0) << revoke_out;
    EXPECT_TRUE(
        eventually([&] { return call(port_, "GET", "/api/v1/auth/session-check", {}, session).status() == 401u; }, 1s));
}

TEST_P(auth_api, health_reports_the_database)
{
    auto server = start();
    auto r = call(port_, "GET", "/health");
    EXPECT_EQ(r.status(), 200u);
    EXPECT_EQ(r.str("database"), "connected");
}

INSTANTIATE_TEST_SUITE_P(backends, auth_api, ::testing::Values("sqlite", "postgresql"), param_name);
