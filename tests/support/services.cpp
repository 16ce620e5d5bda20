#include "services.hpp"

#include "chatkit/security/tokens.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "server_process.hpp"
#include "store/connection_url.hpp"

namespace chatkit::test {

namespace {

std::optional<std::string> env(const char* name)
{
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

// Under scripts/test every service runs: one missing is a failure there,
// and a skip only for a developer running a suite by hand.
std::optional<std::string> service_url(const char* name)
{
    auto url = env(name);
    if (!url && env("CHATKIT_REQUIRE_SERVICES"))
        throw std::runtime_error(std::string(name) + " is not set, but CHATKIT_REQUIRE_SERVICES says it must be");
    return url;
}

} // namespace

std::optional<std::string> postgres_admin_url()
{
    return service_url("CHATKIT_TEST_PG_URL");
}

std::optional<std::string> smtp_url()
{
    return service_url("CHATKIT_TEST_SMTP_URL");
}

std::string fresh_database(const std::string& backend)
{
    if (backend == "sqlite")
        return temp_sqlite_url();
    auto admin = postgres_admin_url().value();
    auto name = "chatkit_" + security::new_uuid().substr(0, 8);
    soci::session s(soci::postgresql, store::libpq_keywords(admin, std::chrono::seconds(5)));
    s << "CREATE DATABASE " + name;
    return admin.substr(0, admin.rfind('/') + 1) + name;
}

std::optional<std::string> wait_for_mail(const std::string& to, std::chrono::milliseconds timeout,
                                         std::string_view containing)
{
    auto dir = env("CHATKIT_TEST_MAILDIR");
    if (!dir)
        return std::nullopt;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(*dir + "/new", ec)) {
            std::ifstream in(entry.path());
            std::stringstream ss;
            ss << in.rdbuf();
            auto text = ss.str();
            if (text.find("To: <" + to + ">") != std::string::npos && text.find(containing) != std::string::npos)
                return text;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
}

std::string verify_token_in(const std::string& text)
{
    constexpr std::string_view marker = "#chatkit_verify=";
    auto at = text.find(marker);
    if (at == std::string::npos)
        return {};
    auto start = at + marker.size();
    auto end = start;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-' || text[end] == '_'))
        ++end;
    return text.substr(start, end - start);
}

std::string unique_email(const std::string& prefix)
{
    return prefix + "-" + security::new_uuid().substr(0, 8) + "@example.com";
}

} // namespace chatkit::test

#include <soci/sqlite3/soci-sqlite3.h>

namespace chatkit::test {

std::unique_ptr<soci::session> open_database(const std::string& url)
{
    if (url.starts_with("sqlite://")) {
        auto s = std::make_unique<soci::session>(soci::sqlite3, "db=" + url.substr(9) + " timeout=5");
        return s;
    }
    return std::make_unique<soci::session>(soci::postgresql, store::libpq_keywords(url, std::chrono::seconds(5)));
}

long long query_number(soci::session& db, const std::string& sql)
{
    long long n = 0;
    db << sql, soci::into(n);
    return n;
}

long long query_number(const std::string& url, const std::string& sql)
{
    return query_number(*open_database(url), sql);
}

} // namespace chatkit::test
