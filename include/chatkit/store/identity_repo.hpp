#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

// Users, sessions and verification tokens. Only keyed token hashes pass
// through here. Functions run inside the caller's transaction, if any.
namespace chatkit::store::identity_repo {

// The PostgreSQL channel that carries "s:<session id>" (revoked) and
// "u:<user id>" (its sessions or tier changed) to every instance.
inline constexpr const char* session_channel = "chatkit_sessions";
// An instance's own "ping:<nonce>" on that channel: proof that notices
// still reach it. Every instance ignores the others'.
inline constexpr std::string_view ping_prefix = "ping:";

struct user_row {
    std::string id;
    std::string email;
    bool verified = false;
    std::string tier;
};

struct session_row {
    std::string id;
    std::string token_hash;
    std::optional<std::string> user_id; // empty: an anonymous session
    long long created_at = 0;
    long long last_seen_at = 0;
    long long expires_at = 0;
    bool revoked = false;
};

struct verification_row {
    std::string id;
    std::string token_hash;
    std::string email;
    long long expires_at = 0;
    bool used = false;
};

// Every instance forgets what it cached of the user's sessions once the
// caller's transaction commits.
void announce_user_change(soci::session& s, const std::string& user_id);
std::optional<user_row> find_user(soci::session& s, const std::string& id);
std::optional<user_row> find_user_by_email(soci::session& s, const std::string& email);
// Creates the user (unverified) unless it exists; returns it either way.
user_row ensure_user(soci::session& s, const std::string& email, long long now, bool consent);
// Marks the address verified; an operator-set tier above lightweight stays.
void mark_verified(soci::session& s, const std::string& user_id, long long now);
// false when no such user.
bool set_tier(soci::session& s, const std::string& email, const std::string& tier, long long now);

void insert_session(soci::session& s, const session_row& row);
std::optional<session_row> find_session_by_hash(soci::session& s, const std::string& token_hash);
void touch_session(soci::session& s, const std::string& id, long long now);
// Conditional: true only for the call that revoked it (races have one winner).
// `migrated_to`: the saved chat an anonymous session's history moved into.
bool revoke_session(soci::session& s, const std::string& id, long long now,
                    const std::optional<std::string>& migrated_to = std::nullopt);
// The absolute end of a session, nullopt when there is no such session.
std::optional<long long> session_expiry(soci::session& s, const std::string& id);
void transfer_conversations(soci::session& s, const std::string& from_session, const std::string& to_session);
int revoke_user_sessions(soci::session& s, const std::string& user_id, long long now);

// A new link invalidates the previous unused ones for that address.
void invalidate_verifications(soci::session& s, const std::string& email, long long now);
void insert_verification(soci::session& s, const verification_row& row, long long now);
std::optional<verification_row> find_verification_by_hash(soci::session& s, const std::string& token_hash);
// Conditional: true only for the one call that consumed it.
bool consume_verification(soci::session& s, const std::string& id, long long now);

} // namespace chatkit::store::identity_repo
