#include "chatkit/store/admin.hpp"

#include "chatkit/store/db.hpp"
#include "chatkit/store/identity_repo.hpp"
#include "chatkit/store/migrations.hpp"
#include "chatkit/util/time.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <array>

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
        return {true, false, "database is up to date"};
    std::string list;
    for (auto v : applied)
        list += (list.empty() ? "" : ", ") + std::to_string(v);
    return {true, false, "applied migration(s) " + list};
}

admin_outcome admin_user(const std::string& database_url, const std::vector<std::string>& operands)
{
    constexpr std::array<std::string_view, 4> tiers{"anonymous", "lightweight", "full", "premium"};
    if (operands.size() == 3 && operands[0] == "set-tier") {
        if (std::find(tiers.begin(), tiers.end(), operands[2]) == tiers.end())
            return {false, true, "tier must be one of anonymous, lightweight, full, premium"};
        auto db = open_migrated(database_url);
        bool found = false;
        db->run_blocking([&](soci::session& s) {
            found = identity_repo::set_tier(s, lower(operands[1]), operands[2], util::now_seconds());
        });
        if (!found)
            return {false, false, "no user with that email"};
        return {true, false, "tier of " + lower(operands[1]) + " set to " + operands[2]};
    }
    if (operands.size() == 2 && operands[0] == "revoke-sessions") {
        auto db = open_migrated(database_url);
        int revoked = -1;
        db->run_blocking([&](soci::session& s) {
            if (auto user = identity_repo::find_user_by_email(s, lower(operands[1])))
                revoked = identity_repo::revoke_user_sessions(s, user->id, util::now_seconds());
        });
        if (revoked < 0)
            return {false, false, "no user with that email"};
        return {true, false, "revoked " + std::to_string(revoked) + " session(s) of " + lower(operands[1])};
    }
    return {false, true, "usage: chatkit-server user set-tier EMAIL TIER | user revoke-sessions EMAIL"};
}

} // namespace chatkit::store
