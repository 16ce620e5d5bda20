#include "chatkit/store/admin.hpp"

#include "chatkit/store/db.hpp"
#include "chatkit/store/identity_repo.hpp"
#include "chatkit/store/migrations.hpp"
#include "chatkit/util/time.hpp"

#include <soci/soci.h>

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

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
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

admin_outcome admin_set_tier(const std::string& database_url, const std::string& email, const std::string& tier)
{
    auto db = open_migrated(database_url);
    bool found = false;
    db->run_blocking(
        [&](soci::session& s) { found = identity_repo::set_tier(s, lower(email), tier, util::now_seconds()); });
    if (!found)
        return {false, "no user with that email"};
    return {true, "tier of " + lower(email) + " set to " + tier};
}

admin_outcome admin_revoke_sessions(const std::string& database_url, const std::string& email)
{
    auto db = open_migrated(database_url);
    int revoked = -1;
    db->run_blocking([&](soci::session& s) {
        if (auto user = identity_repo::find_user_by_email(s, lower(email)))
            revoked = identity_repo::revoke_user_sessions(s, user->id, util::now_seconds());
    });
    if (revoked < 0)
        return {false, "no user with that email"};
    return {true, "revoked " + std::to_string(revoked) + " session(s) of " + lower(email)};
}

} // namespace chatkit::store
