#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace chatkit::test {

// The services scripts/test starts (scripts/services.sh). Suites that need
// them skip when run outside it, e.g. `meson test` by hand; under it
// (CHATKIT_REQUIRE_SERVICES set) a missing one throws, failing the test.
[[nodiscard]] std::optional<std::string> postgres_admin_url();
[[nodiscard]] std::optional<std::string> smtp_url();

// A new, empty database: a fresh SQLite file, or a new PostgreSQL database
// on the test cluster. `backend` is "sqlite" or "postgresql".
[[nodiscard]] std::string fresh_database(const std::string& backend);

// A message in the SMTP sink addressed to `to` (and holding `containing`),
// waiting for it. Of several that match, any one: give `containing` to tell
// them apart.
[[nodiscard]] std::optional<std::string> wait_for_mail(const std::string& to,
                                                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                                       std::string_view containing = {});

// The token of the first `#chatkit_verify=` link in a text.
[[nodiscard]] std::string verify_token_in(const std::string& text);

// A unique address for one test.
[[nodiscard]] std::string unique_email(const std::string& prefix);

} // namespace chatkit::test

namespace soci {
class session;
}

namespace chatkit::test {

// A direct SOCI session on a test database URL, for arranging rows the
// server's own API cannot create yet and for asserting what was stored.
[[nodiscard]] std::unique_ptr<soci::session> open_database(const std::string& url);
// The one number a query such as `SELECT COUNT(*) FROM ...` returns.
[[nodiscard]] long long query_number(soci::session& db, const std::string& sql);
[[nodiscard]] long long query_number(const std::string& url, const std::string& sql);

} // namespace chatkit::test
