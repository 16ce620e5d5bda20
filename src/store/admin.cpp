#include "chatkit/store/admin.hpp"

#include "chatkit/store/db.hpp"
#include "chatkit/store/identity_repo.hpp"
#include "chatkit/store/migrations.hpp"
#include "chatkit/store/user_data_repo.hpp"
#include "chatkit/util/text.hpp"
#include "chatkit/util/time.hpp"
#include "connection_url.hpp"

#include <boost/json/serialize.hpp>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <optional>

namespace chatkit::store {

namespace {

std::unique_ptr<db_executor> open_migrated(const std::string& url)
{
    db_options options;
    options.url = url;
    options.readers = 1;
    options.pool = 1;
    auto db = db_executor::open(options);
    migrate(*db);
    return db;
}

} // namespace

admin_outcome admin_migrate(const std::string& database_url)
{
    db_options options;
    options.url = database_url;
    options.readers = 1;
    options.pool = 1;
    auto db = db_executor::open(options);
    auto applied = migrate(*db);
    if (applied.empty())
        return {true, "database is up to date"};
    std::string list;
    for (auto v : applied)
        list += (list.empty() ? "" : ", ") + std::to_string(v);
    return {true, "applied migration(s) " + list};
}

namespace {

admin_outcome schema_verdict(const schema_state& state, const std::string& what)
{
    if (!state.unknown.empty())
        return {false,
                "DATABASE_URL: the database was migrated by a newer chatkit-server (migration " +
                    std::to_string(state.unknown.front()) + "); run that version or a newer one",
                true};
    if (!state.pending.empty())
        return {true,
                what + "; " + std::to_string(state.pending.size()) + " migration(s) pending, which serve applies"};
    return {true, what + ", schema up to date"};
}

} // namespace

admin_outcome admin_check_database(const std::string& database_url, std::chrono::milliseconds connect_timeout)
{
    auto url = parse_connection_url(database_url, connect_timeout);
    // Whether serve can write there, config::validate has said.
    if (url.kind == dialect::sqlite && !std::filesystem::exists(url.sqlite_path))
        return {true, "SQLite database at " + url.sqlite_path + " (serve creates it)"};
    schema_state state;
    if (url.kind == dialect::sqlite) {
        try {
            soci::session s(soci::sqlite3, "db=" + url.sqlite_path + " readonly=1");
            state = read_schema_state(s);
        } catch (const std::exception&) {
            return {false, "DATABASE_URL: " + url.sqlite_path + " is not a SQLite database this server can read"};
        }
        return schema_verdict(state, "SQLite database at " + url.sqlite_path);
    }
    try {
        soci::session s(soci::postgresql, url.postgresql_connect_string);
        state = read_schema_state(s);
    } catch (const std::exception&) {
        // libpq's text can carry the password-bearing connection string's
        // pieces; the setting's name is what the operator needs.
        return {false, "DATABASE_URL: the PostgreSQL server does not answer (host, port, credentials, database?)"};
    }
    return schema_verdict(state, "PostgreSQL answers");
}

admin_outcome admin_set_tier(const std::string& database_url, const std::string& email, const std::string& tier)
{
    auto db = open_migrated(database_url);
    bool found = false;
    // The change and its notice to every instance commit together, or neither.
    db->run_blocking([&](soci::session& s) {
        soci::transaction tx(s);
        found = identity_repo::set_tier(s, util::ascii_lower(email), tier, util::now_seconds());
        tx.commit();
    });
    if (!found)
        return {false, "no user with that email"};
    return {true, "tier of " + util::ascii_lower(email) + " set to " + tier};
}

admin_outcome admin_revoke_sessions(const std::string& database_url, const std::string& email)
{
    auto db = open_migrated(database_url);
    int revoked = -1;
    db->run_blocking([&](soci::session& s) {
        soci::transaction tx(s);
        if (auto user = identity_repo::find_user_by_email(s, util::ascii_lower(email)))
            revoked = identity_repo::revoke_user_sessions(s, user->id, util::now_seconds());
        tx.commit();
    });
    if (revoked < 0)
        return {false, "no user with that email"};
    return {true, "revoked " + std::to_string(revoked) + " session(s) of " + util::ascii_lower(email)};
}

admin_outcome admin_export_user(const std::string& database_url, const std::string& email)
{
    auto db = open_migrated(database_url);
    std::optional<boost::json::object> data;
    db->run_blocking([&](soci::session& s) {
        if (auto user = identity_repo::find_user_by_email(s, util::ascii_lower(email)))
            data = user_data_repo::export_user(s, *user);
    });
    if (!data)
        return {false, "no user with that email"};
    return {true, boost::json::serialize(*data)};
}

admin_outcome admin_delete_user(const std::string& database_url, const std::string& email)
{
    auto db = open_migrated(database_url);
    bool found = false;
    db->run_blocking([&](soci::session& s) {
        soci::transaction tx(s);
        if (auto user = identity_repo::find_user_by_email(s, util::ascii_lower(email))) {
            user_data_repo::delete_user(s, *user);
            found = true;
        }
        tx.commit();
    });
    if (!found)
        return {false, "no user with that email"};
    return {true, "deleted " + util::ascii_lower(email) + " and everything kept about them"};
}

} // namespace chatkit::store
