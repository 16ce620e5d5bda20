#pragma once

#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

// Read-only links to conversations (/c/<id>): the row of each, and the
// conversation a link shows. The link's id never reaches this layer, only
// its keyed hash and its sealed form.
namespace chatkit::store::share_repo {

// The conversation a caller calls `key` (the client's name for it): the
// account's for a user, else the session's; of several, the newest (the one
// new turns go to, as record_turn picks it). nullopt when the caller has none.
[[nodiscard]] std::optional<std::string> find_conversation(soci::session& s, const std::string& user_id,
                                                           const std::string& session_id, const std::string& key);

struct share_row {
    std::string conversation_id;
    std::string token_hash;   // keyed BLAKE2b of the link's id, hex
    std::string sealed_token; // the id sealed with SECRET_KEY's box key
    long long created_at = 0; // Unix seconds
};
// Records the conversation's link unless it has one; false when it had
// (then find_share gives the one it keeps).
bool insert_share(soci::session& s, const share_row& row);
[[nodiscard]] std::optional<share_row> find_share(soci::session& s, const std::string& conversation_id);
// Gives the conversation's link a new id (its old one no longer opens).
void replace_share(soci::session& s, const share_row& row);
// Deletes the links of every conversation of the caller named `key`.
void delete_shares(soci::session& s, const std::string& user_id, const std::string& session_id, const std::string& key);

// When retention would delete the conversation: 0 for one of a signed-in
// user (kept until they delete it), else its last activity (milliseconds,
// as record_turn stores it) plus `anonymous_retention_s`, in seconds.
[[nodiscard]] long long expires_at(soci::session& s, const std::string& conversation_id,
                                   long long anonymous_retention_s);

struct shared_message {
    std::string role;
    std::string content;
    std::string sources_json; // empty: none
    std::string status;       // complete, cancelled, failed
    long long created_at_ms = 0;
};
struct shared_conversation {
    long long shared_at = 0;              // Unix seconds
    std::vector<shared_message> messages; // oldest first
    bool earlier_left_out = false;        // it had more than `limit` messages
};
// The conversation the link with this hash shows, with its last `limit`
// messages; nullopt for no such link, or one whose conversation retention
// counts as gone (anonymous, and nothing added since `idle_cutoff_ms`)
// although a pruning pass has not deleted it yet.
[[nodiscard]] std::optional<shared_conversation> find_shared(soci::session& s, const std::string& token_hash,
                                                             long long idle_cutoff_ms, int limit);

} // namespace chatkit::store::share_repo
