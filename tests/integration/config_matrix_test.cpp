// The seed's secrets matrix and DESIGN.md "Modes", row by row, against the
// real binary: `serve` and `check-config` must give the same verdict.
#include "support/http_client.hpp"
#include "support/promtool.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <unistd.h>

using chatkit::test::production_env;
using chatkit::test::server_process;

namespace {

constexpr int exit_config = 78;

struct outcome {
    int exit_code;
    std::string output;
};

outcome run_to_exit(std::vector<std::string> args, std::map<std::string, std::string> env)
{
    server_process p(std::move(args), std::move(env));
    auto code = p.wait_exit(std::chrono::seconds(10));
    return {code.value_or(-1), p.output()};
}

std::size_t lines(const std::string& s)
{
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

void expect_refused(std::map<std::string, std::string> env, const std::string& names, const std::string& secret = {})
{
    for (const char* command : {"serve", "check-config"}) {
        auto r = run_to_exit({command}, env);
        EXPECT_EQ(r.exit_code, exit_config) << command << ": " << r.output;
        EXPECT_EQ(lines(r.output), 1u) << "one clear line: " << r.output;
        EXPECT_NE(r.output.find(names), std::string::npos) << r.output;
        EXPECT_EQ(r.output.find("listening"), std::string::npos);
        if (!secret.empty()) {
            EXPECT_EQ(r.output.find(secret), std::string::npos) << "the key must never be printed";
        }
    }
}

} // namespace

TEST(config_matrix, production_missing_secret_is_refused)
{
    auto env = production_env();
    env.erase("SECRET_KEY");
    expect_refused(env, "SECRET_KEY is not set");
}

TEST(config_matrix, production_development_default_secret_is_refused)
{
    auto env = production_env();
    env["SECRET_KEY"] = "dev-secret-key-change-in-production";
    expect_refused(env, "SECRET_KEY", "dev-secret-key-change-in-production");
}

TEST(config_matrix, production_short_secret_is_refused)
{
    auto env = production_env();
    env["SECRET_KEY"] = "Kx9!vR2#pQ7z";
    expect_refused(env, "SECRET_KEY", "Kx9!vR2#pQ7z");
}

TEST(config_matrix, production_low_variety_secret_is_refused)
{
    auto env = production_env();
    env["SECRET_KEY"] = std::string(64, 'x');
    expect_refused(env, "SECRET_KEY", std::string(64, 'x'));
}

TEST(config_matrix, production_cors_missing_wildcard_or_null_is_refused)
{
    auto env = production_env();
    env.erase("CORS_ORIGINS");
    expect_refused(env, "CORS_ORIGINS");
    env["CORS_ORIGINS"] = "*";
    expect_refused(env, "CORS_ORIGINS");
    env["CORS_ORIGINS"] = "https://docs.example.com,null";
    expect_refused(env, "CORS_ORIGINS");
}

TEST(config_matrix, production_with_sqlite_warns_once_and_starts)
{
    auto env = production_env();
    env["DATABASE_URL"] = chatkit::test::temp_sqlite_url();
    auto check = run_to_exit({"check-config"}, env);
    EXPECT_EQ(check.exit_code, 0) << check.output;

    server_process p({"serve"}, env);
    ASSERT_TRUE(p.wait_until_listening()) << p.output();
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    auto out = p.output();
    std::size_t warnings = 0;
    for (std::size_t at = out.find(" warning "); at != std::string::npos; at = out.find(" warning ", at + 1))
        ++warnings;
    EXPECT_EQ(warnings, 1u) << out;
    EXPECT_NE(out.find("SQLite"), std::string::npos);
}

TEST(config_matrix, production_with_strong_settings_starts)
{
    auto env = production_env();
    env["DATABASE_URL"] = chatkit::test::temp_sqlite_url(); // check-config reaches the database, as serve does
    auto check = run_to_exit({"check-config"}, env);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("configuration ok (production mode)"), std::string::npos);
    EXPECT_EQ(check.output.find(production_env()["SECRET_KEY"]), std::string::npos);
}

TEST(config_matrix, development_starts_with_an_ephemeral_secret_and_a_warning)
{
    server_process p({}, {{"PORT", "0"}, {"THREADS", "1"}, {"DATABASE_URL", chatkit::test::temp_sqlite_url()}});
    ASSERT_TRUE(p.wait_until_listening()) << p.output();
    auto out = p.output();
    EXPECT_NE(out.find("ephemeral"), std::string::npos) << out;
    EXPECT_NE(out.find("development mode"), std::string::npos);
    p.signal(SIGINT);
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
}

TEST(config_matrix, integration_test_mode_is_lenient)
{
    auto r = run_to_exit({"check-config"},
                         {{"INTEGRATION_TEST_MODE", "true"}, {"DATABASE_URL", chatkit::test::temp_sqlite_url()}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("development mode"), std::string::npos);
}

TEST(config_matrix, seed_style_production_switch_is_strict)
{
    auto env = production_env();
    env.erase("CHATKIT_ENV");
    env.erase("SECRET_KEY");
    env["INTEGRATION_TEST_MODE"] = "false";
    expect_refused(env, "SECRET_KEY is not set");
}

TEST(config_matrix, flags_are_equivalent_to_variables)
{
    auto env = production_env();
    auto key = env["SECRET_KEY"];
    env.erase("SECRET_KEY");
    env["DATABASE_URL"] = chatkit::test::temp_sqlite_url();
    auto r = run_to_exit({"check-config", "--secret-key", key}, env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(config_matrix, unknown_command_and_bad_value_fail_clearly)
{
    auto r = run_to_exit({"frobnicate"}, {});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find("unknown command"), std::string::npos);
    r = run_to_exit({"serve", "--port", "http"}, {});
    EXPECT_EQ(r.exit_code, exit_config);
    EXPECT_NE(r.output.find("PORT"), std::string::npos);
}

TEST(config_matrix, port_already_taken_fails_without_hanging)
{
    server_process first({}, chatkit::test::dev_env());
    auto port = first.wait_until_listening();
    ASSERT_TRUE(port);
    auto env = chatkit::test::dev_env();
    env["PORT"] = std::to_string(*port);
    auto r = run_to_exit({}, env);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("cannot start"), std::string::npos) << r.output;
}

TEST(log_format, json_lines_are_one_json_object_each)
{
    auto env = chatkit::test::dev_env();
    env["LOG_FORMAT"] = "json";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    chatkit::test::request(*port, "GET", "/health?x=\"quoted\"");
    chatkit::test::request(*port, "GET", "/odd%0D%0Apath\\with\"quotes");
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    auto out = p.output();
    std::size_t lines = 0, start = 0;
    for (auto end = out.find('\n'); end != std::string::npos; start = end + 1, end = out.find('\n', start)) {
        boost::system::error_code ec;
        auto v = boost::json::parse(out.substr(start, end - start), ec);
        ASSERT_FALSE(ec) << out.substr(start, end - start);
        EXPECT_TRUE(v.as_object().contains("msg"));
        EXPECT_TRUE(v.as_object().contains("level"));
        ++lines;
    }
    EXPECT_GE(lines, 4u);
    EXPECT_NE(out.find(R"("msg":"access","method":"GET","path":"/odd%0D%0Apath\\with\"quotes")"), std::string::npos)
        << out;
}

TEST(product_binary, has_no_test_routes)
{
    const char* product = std::getenv("CHATKIT_PRODUCT_SERVER");
    ASSERT_NE(product, nullptr) << "run through meson test";
    auto env = chatkit::test::dev_env();
    server_process refused({}, env, product);
    EXPECT_EQ(refused.wait_exit(std::chrono::seconds(10)), 1) << refused.output();
    EXPECT_NE(refused.output().find("TEST_ROUTES=true: this binary has no test routes"), std::string::npos)
        << refused.output();
    env.erase("TEST_ROUTES");
    server_process plain({}, env, product);
    auto port = plain.wait_until_listening();
    ASSERT_TRUE(port) << plain.output();
    EXPECT_EQ(
        chatkit::test::request(*port, "POST", "/api/v1/test/echo", {{"Content-Type", "application/json"}}, "{}").status,
        404u);
}

TEST(config_matrix, unknown_flags_and_stray_arguments_are_refused_with_64)
{
    for (auto args : std::vector<std::vector<std::string>>{{"serve", "--prot", "1", "--port=2"},
                                                           {"serve", "extra"},
                                                           {"check-config", "--nope"},
                                                           {"--prot=3"},
                                                           {"migrate", "now"}}) {
        auto r = run_to_exit(args, production_env());
        EXPECT_EQ(r.exit_code, 64) << args.front() << ": " << r.output;
        EXPECT_EQ(lines(r.output), 1u) << r.output;
        EXPECT_NE(r.output.find("--help"), std::string::npos) << "a hint: " << r.output;
        EXPECT_EQ(r.output.find("listening"), std::string::npos);
    }
}

TEST(config_matrix, secrets_come_from_files_and_never_from_both)
{
    auto dir = std::filesystem::temp_directory_path() / ("chatkit-secrets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& content) {
        std::ofstream(dir / name) << content;
        return (dir / name).string();
    };
    auto env = production_env();
    auto key = env["SECRET_KEY"];
    env.erase("SECRET_KEY");
    env["SECRET_KEY_FILE"] = write("key", key + "\n");
    env["SMTP_URL_FILE"] = write("smtp", env["SMTP_URL"] + "\n");
    env.erase("SMTP_URL");
    env["DATABASE_URL"] = chatkit::test::temp_sqlite_url();
    auto ok = run_to_exit({"check-config"}, env);
    EXPECT_EQ(ok.exit_code, 0) << ok.output;

    env["SECRET_KEY"] = key;
    expect_refused(env, "SECRET_KEY and SECRET_KEY_FILE are both set", key);
    env.erase("SECRET_KEY");
    env["SECRET_KEY_FILE"] = (dir / "missing").string();
    expect_refused(env, "SECRET_KEY_FILE: cannot read");
    env["SECRET_KEY_FILE"] = write("weak", "tiny-secret\n");
    expect_refused(env, "SECRET_KEY", "tiny-secret");
    env["SECRET_KEY_FILE"] = dir.string();
    expect_refused(env, "SECRET_KEY_FILE: " + dir.string() + " is a directory");
    std::filesystem::remove_all(dir);
}

TEST(config_matrix, database_urls_serve_would_refuse_are_refused_by_both)
{
    auto env = production_env();
    env["DATABASE_URL"] = "postgresql://chatkit:p@ss@127.0.0.1/chatkit";
    expect_refused(env, "percent-encode an @", "p@ss");
    env["DATABASE_URL"] = "sqlite:///proc/chatkit/chatkit.db";
    expect_refused(env, "DATABASE_URL: /proc is not writable");
}

TEST(config_matrix, a_port_in_use_is_named)
{
    auto env = chatkit::test::dev_env();
    chatkit::test::server_process first({}, env);
    auto port = first.wait_until_listening();
    ASSERT_TRUE(port) << first.output();
    auto r = run_to_exit({"serve", "--port", std::to_string(*port)}, env);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find("cannot listen on 127.0.0.1 port " + std::to_string(*port)), std::string::npos) << r.output;
}

TEST(config_matrix, a_short_admin_token_is_refused)
{
    auto env = production_env();
    env["ADMIN_TOKEN"] = "short-token";
    expect_refused(env, "ADMIN_TOKEN must be at least 32 characters", "short-token");
}

TEST(config_matrix, production_needs_an_https_verification_page)
{
    auto env = production_env();
    env["PUBLIC_VERIFY_URL"] = "http://docs.example.com/";
    expect_refused(env, "PUBLIC_VERIFY_URL must be an https://");
    env["PUBLIC_VERIFY_URL"] = "https://docs.example.com/#x";
    expect_refused(env, "PUBLIC_VERIFY_URL must not have a #fragment");
}

TEST(config_matrix, production_serves_metrics_and_probes_on_the_admin_listener_only)
{
    auto env = production_env();
    env["DATABASE_URL"] = chatkit::test::temp_sqlite_url();
    env["ADMIN_BIND"] = "127.0.0.1:0";
    server_process p({"serve"}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    std::smatch m;
    auto out = p.output();
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(admin listener on http://127\.0\.0\.1:(\d+))"))) << out;
    auto admin = static_cast<std::uint16_t>(std::stoi(m[1]));
    auto metrics = chatkit::test::request(admin, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200u) << "plain HTTP on the admin address: no HTTPS guard";
    EXPECT_NE(metrics.body.find("chatkit_http_requests_total"), std::string::npos);
    for (const char* series :
         {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
          "process_start_time_seconds ", "chatkit_build_info{version=\"", "chatkit_mail_outbox_pending "})
        EXPECT_NE(metrics.body.find(series), std::string::npos) << series;
    // The text format as Prometheus reads it (metrics_test.cpp checks it
    // after every kind of traffic).
    if (auto verdict = chatkit::test::promtool_check(metrics.body)) {
        EXPECT_EQ(verdict->findings, "") << metrics.body;
    }
    EXPECT_EQ(chatkit::test::request(admin, "GET", "/livez").status, 200u);
    EXPECT_EQ(chatkit::test::request(admin, "GET", "/readyz").status, 200u);
    EXPECT_EQ(chatkit::test::request(admin, "GET", "/api/v1/chat/history").status, 404u) << "no API there";
    // Through the TLS front door the public port has no /metrics.
    auto pub = chatkit::test::request(*port, "GET", "/metrics", {{"X-Forwarded-Proto", "https"}});
    EXPECT_EQ(pub.status, 404u);
    EXPECT_EQ(chatkit::test::request(*port, "GET", "/readyz").status, 200u) << "probes pass the HTTPS guard";
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0) << p.output();
}

TEST(config_matrix, admin_bind_must_be_an_address_and_port)
{
    auto env = production_env();
    for (const char* bad : {"localhost:9464", "9464", "127.0.0.1:99999", "127.0.0.1:"}) {
        env["ADMIN_BIND"] = bad;
        expect_refused(env, "ADMIN_BIND");
    }
}

TEST(config_matrix, check_config_meets_what_serve_meets)
{
    // An unreachable database: both refuse, naming the setting.
    auto env = production_env();
    env["DATABASE_URL"] = "postgresql://chatkit:secret-pw@127.0.0.1:1/chatkit?connect_timeout=1";
    for (const char* command : {"check-config", "serve"}) {
        auto r = run_to_exit({command}, env);
        EXPECT_EQ(r.exit_code, 1) << command << ": " << r.output;
        EXPECT_NE(r.output.find("DATABASE_URL"), std::string::npos) << command << ": " << r.output;
        EXPECT_EQ(r.output.find("secret-pw"), std::string::npos) << "no password in the error";
    }
    // A missing corpus: production refuses it as a configuration error (78,
    // no restart under systemd), development warns and answers from nothing.
    env["DATABASE_URL"] = chatkit::test::temp_sqlite_url();
    env["CORPUS_DIR"] = "/nonexistent/docs";
    for (const char* command : {"check-config", "serve"}) {
        auto refused = run_to_exit({command}, env);
        EXPECT_EQ(refused.exit_code, exit_config) << command << ": " << refused.output;
        EXPECT_NE(refused.output.find("CORPUS_DIR is not a folder"), std::string::npos) << refused.output;
    }
    auto dev = run_to_exit({"check-config"},
                           {{"CORPUS_DIR", "/nonexistent/docs"}, {"DATABASE_URL", chatkit::test::temp_sqlite_url()}});
    EXPECT_EQ(dev.exit_code, 0) << dev.output;
    EXPECT_NE(dev.output.find("empty corpus"), std::string::npos) << dev.output;
}

TEST(config_matrix, a_database_migrated_by_a_newer_version_is_refused_by_both)
{
    auto env = production_env();
    auto url = chatkit::test::temp_sqlite_url();
    env["DATABASE_URL"] = url;
    auto fresh = run_to_exit({"check-config"}, env);
    EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
    EXPECT_NE(fresh.output.find("serve creates it"), std::string::npos) << fresh.output;
    {
        server_process p({"serve"}, env);
        ASSERT_TRUE(p.wait_until_listening()) << p.output();
        p.signal(SIGTERM);
        ASSERT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    }
    auto current = run_to_exit({"check-config"}, env);
    EXPECT_EQ(current.exit_code, 0) << current.output;
    EXPECT_NE(current.output.find("schema up to date"), std::string::npos) << current.output;

    {
        auto db = chatkit::test::open_database(url);
        *db << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)";
    }
    for (const char* command : {"serve", "check-config"}) {
        auto r = run_to_exit({command}, env);
        EXPECT_EQ(r.exit_code, exit_config) << command << ": " << r.output;
        EXPECT_NE(r.output.find("migrated by a newer chatkit-server (migration 9999"), std::string::npos) << r.output;
        EXPECT_EQ(r.output.find("listening"), std::string::npos) << r.output;
    }
}
