#include "chatkit/store/identity_repo.hpp"

#include "chatkit/security/tokens.hpp"

#include <soci/soci.h>

namespace chatkit::store::identity_repo {

namespace {

std::optional<user_row> one_user(soci::session& s, const std::string& column, const std::string& value)
{
    user_row u;
    int verified = 0;
    s << "SELECT id, email, email_verified, tier FROM users WHERE " + column + " = :v", soci::use(value),
        soci::into(u.id), soci::into(u.email), soci::into(verified), soci::into(u.tier);
    if (!s.got_data())
        return std::nullopt;
    u.verified = verified != 0;
    return u;
}

long long affected(soci::statement& st)
{
    st.execute(true);
    return st.get_affected_rows();
}

// Every instance caches sessions it has checked; on PostgreSQL each learns
// of a change from this notice, sent when the caller's transaction commits
// (from any process: an instance, another instance, the admin CLI). On
// SQLite nothing caches, so nothing is sent.
void announce(soci::session& s, const std::string& what)
{
    if (s.get_backend_name() != "postgresql")
        return;
    int sent = 0;
    s << "SELECT 1 FROM (SELECT pg_notify('" << session_channel << "', :what)) n", soci::use(what), soci::into(sent);
}

} // namespace

std::optional<user_row> find_user(soci::session& s, const std::string& id)
{
    return one_user(s, "id", id);
}

std::optional<user_row> find_user_by_email(soci::session& s, const std::string& email)
{
    return one_user(s, "email", email);
}

user_row ensure_user(soci::session& s, const std::string& email, long long now, bool consent)
{
    if (auto existing = find_user_by_email(s, email)) {
        if (consent)
            s << "UPDATE users SET consent_at = COALESCE(consent_at, :consent), updated_at = :now WHERE id = :id",
                soci::use(now, "consent"), soci::use(now, "now"), soci::use(existing->id, "id");
        return *existing;
    }
    user_row u{security::new_uuid(), email, false, "lightweight"};
    soci::indicator consent_ind = consent ? soci::i_ok : soci::i_null;
    // ON CONFLICT: two sign-ups of one new address at once both succeed.
    s << "INSERT INTO users (id, email, email_verified, tier, consent_at, created_at, updated_at) "
         "VALUES (:id, :email, 0, :tier, :consent, :created, :updated) ON CONFLICT (email) DO NOTHING",
        soci::use(u.id, "id"), soci::use(u.email, "email"), soci::use(u.tier, "tier"),
        soci::use(now, consent_ind, "consent"), soci::use(now, "created"), soci::use(now, "updated");
    return *find_user_by_email(s, email);
}

void mark_verified(soci::session& s, const std::string& user_id, long long now)
{
    s << "UPDATE users SET email_verified = 1, updated_at = :now, "
         "tier = CASE WHEN tier IN ('full', 'premium') THEN tier ELSE 'lightweight' END WHERE id = :id",
        soci::use(now, "now"), soci::use(user_id, "id");
    announce(s, "u:" + user_id);
}

bool set_tier(soci::session& s, const std::string& email, const std::string& tier, long long now)
{
    soci::statement st = (s.prepare << "UPDATE users SET tier = :tier, updated_at = :now WHERE email = :email",
                          soci::use(tier, "tier"), soci::use(now, "now"), soci::use(email, "email"));
    if (affected(st) != 1)
        return false;
    if (auto user = find_user_by_email(s, email))
        announce(s, "u:" + user->id);
    return true;
}

void insert_session(soci::session& s, const session_row& row)
{
    std::string user_id = row.user_id.value_or("");
    soci::indicator user_ind = row.user_id ? soci::i_ok : soci::i_null;
    s << "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) "
         "VALUES (:id, :hash, :user_id, :created, :seen, :expires)",
        soci::use(row.id, "id"), soci::use(row.token_hash, "hash"), soci::use(user_id, user_ind, "user_id"),
        soci::use(row.created_at, "created"), soci::use(row.last_seen_at, "seen"), soci::use(row.expires_at, "expires");
}

std::optional<session_row> find_session_by_hash(soci::session& s, const std::string& token_hash)
{
    session_row r;
    std::string user_id;
    soci::indicator user_ind = soci::i_null;
    long long revoked_at = 0;
    soci::indicator revoked_ind = soci::i_null;
    s << "SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at, revoked_at FROM sessions "
         "WHERE token_hash = :h",
        soci::use(token_hash), soci::into(r.id), soci::into(r.token_hash), soci::into(user_id, user_ind),
        soci::into(r.created_at), soci::into(r.last_seen_at), soci::into(r.expires_at),
        soci::into(revoked_at, revoked_ind);
    if (!s.got_data() || !security::equal_constant_time(r.token_hash, token_hash))
        return std::nullopt;
    if (user_ind == soci::i_ok)
        r.user_id = user_id;
    r.revoked = revoked_ind == soci::i_ok;
    return r;
}

void touch_session(soci::session& s, const std::string& id, long long now)
{
    s << "UPDATE sessions SET last_seen_at = :now WHERE id = :id", soci::use(now, "now"), soci::use(id, "id");
}

bool revoke_session(soci::session& s, const std::string& id, long long now,
                    const std::optional<std::string>& migrated_to)
{
    std::string target = migrated_to.value_or("");
    soci::indicator target_ind = migrated_to ? soci::i_ok : soci::i_null;
    soci::statement st =
        (s.prepare
             << "UPDATE sessions SET revoked_at = :now, migrated_to = :target WHERE id = :id AND revoked_at IS NULL",
         soci::use(now, "now"), soci::use(target, target_ind, "target"), soci::use(id, "id"));
    // Said again when it was revoked already: a retry after a failure
    // whose notice was lost must still reach every instance.
    auto revoked = affected(st) == 1;
    announce(s, "s:" + id);
    return revoked;
}

std::optional<long long> session_expiry(soci::session& s, const std::string& id)
{
    long long expires_at = 0;
    s << "SELECT expires_at FROM sessions WHERE id = :id", soci::use(id), soci::into(expires_at);
    return s.got_data() ? std::optional<long long>(expires_at) : std::nullopt;
}

void transfer_conversations(soci::session& s, const std::string& from_session, const std::string& to_session)
{
    s << "UPDATE conversations SET session_id = :to WHERE session_id = :from", soci::use(to_session, "to"),
        soci::use(from_session, "from");
}

void announce_user_change(soci::session& s, const std::string& user_id)
{
    announce(s, "u:" + user_id);
}

int revoke_user_sessions(soci::session& s, const std::string& user_id, long long now)
{
    soci::statement st =
        (s.prepare << "UPDATE sessions SET revoked_at = :now WHERE user_id = :id AND revoked_at IS NULL",
         soci::use(now, "now"), soci::use(user_id, "id"));
    auto n = static_cast<int>(affected(st));
    announce(s, "u:" + user_id);
    return n;
}

void invalidate_verifications(soci::session& s, const std::string& email, long long now)
{
    s << "UPDATE verification_tokens SET used_at = :now WHERE email = :email AND used_at IS NULL",
        soci::use(now, "now"), soci::use(email, "email");
}

void insert_verification(soci::session& s, const verification_row& row, long long now)
{
    s << "INSERT INTO verification_tokens (id, token_hash, email, created_at, expires_at) "
         "VALUES (:id, :hash, :email, :now, :expires)",
        soci::use(row.id, "id"), soci::use(row.token_hash, "hash"), soci::use(row.email, "email"),
        soci::use(now, "now"), soci::use(row.expires_at, "expires");
}

std::optional<verification_row> find_verification_by_hash(soci::session& s, const std::string& token_hash)
{
    verification_row r;
    long long used_at = 0;
    soci::indicator used_ind = soci::i_null;
    s << "SELECT id, token_hash, email, expires_at, used_at FROM verification_tokens WHERE token_hash = :h",
        soci::use(token_hash), soci::into(r.id), soci::into(r.token_hash), soci::into(r.email),
        soci::into(r.expires_at), soci::into(used_at, used_ind);
    if (!s.got_data() || !security::equal_constant_time(r.token_hash, token_hash))
        return std::nullopt;
    r.used = used_ind == soci::i_ok;
    return r;
}

bool consume_verification(soci::session& s, const std::string& id, long long now)
{
    soci::statement st = (s.prepare << "UPDATE verification_tokens SET used_at = :now "
                                       "WHERE id = :id AND used_at IS NULL AND expires_at > :deadline",
                          soci::use(now, "now"), soci::use(id, "id"), soci::use(now, "deadline"));
    return affected(st) == 1;
}

} // namespace chatkit::store::identity_repo
