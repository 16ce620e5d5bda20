#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

// Read-only links to conversations (/c/<id>): the row of each, and the
// conversation a link shows. The link's id never reaches this layer, only
// its keyed hash and its sealed form.
//
// A conversation is what GET /chat/history calls one: every row of
// `conversations` the caller owns under one client name (`client_key`), the
// account's for a user, else the session's. An account holds two under one
// name after migrate-session; they have one link between them, recorded on
// either row, and the page shows the messages of both.
namespace chatkit::store::share_repo {

// The row a new link of the caller's conversation `key` is recorded on: of
// the rows under that name, the oldest. nullopt when the caller has none.
[[nodiscard]] std::optional<std::string> find_conversation(soci::session& s, const std::string& user_id,
                                                           const std::string& session_id, const std::string& key);

struct share_row {
    std::string conversation_id;
    std::string token_hash;   // keyed BLAKE2b of the link's id, hex
    std::string sealed_token; // the id sealed with SECRET_KEY's box key
    long long created_at = 0; // Unix seconds
};
// The live link (made at `live_since` or later) of the caller's
// conversation `key`; of several, the newest (the one that lives longest).
[[nodiscard]] std::optional<share_row> find_share(soci::session& s, const std::string& user_id,
                                                  const std::string& session_id, const std::string& key,
                                                  long long live_since);
// Records `row` as the link of its conversation row unless that row has a
// live one (made at `live_since` or later; an expired one is replaced), in
// one statement; gives the link the row holds now: `row`, or the one kept.
[[nodiscard]] share_row upsert_share(soci::session& s, const share_row& row, long long live_since);
// Gives the link whose hash is `old_hash` a new id (the old one no longer
// opens); false when that link is gone (revoked meanwhile).
bool replace_share(soci::session& s, const share_row& row, const std::string& old_hash);
// Deletes the links of the caller's conversation `key`.
void delete_shares(soci::session& s, const std::string& user_id, const std::string& session_id, const std::string& key);
// One link per conversation: of the account's names that hold more than one
// link (two rows under one name after migrate-session, each shared), keeps
// the newest and deletes the others. Returns how many it deleted.
int keep_one_link_per_name(soci::session& s, const std::string& user_id);

// How long links live: `lifetime_s` after they were made, and an anonymous
// conversation's no longer than retention keeps it (`anonymous_retention_s`
// after its last activity).
struct link_lifetime {
    long long lifetime_s = 0;
    long long anonymous_retention_s = 0;
};
// When the link on `row` stops opening, in Unix seconds.
[[nodiscard]] long long expires_at(soci::session& s, const share_row& row, link_lifetime lifetime);

struct listed_share {
    std::string key;          // the client's name for the conversation
    long long created_at = 0; // Unix seconds
    long long expires_at = 0; // Unix seconds
};
// The caller's live links, newest first, one per conversation.
[[nodiscard]] std::vector<listed_share> list_shares(soci::session& s, const std::string& user_id,
                                                    const std::string& session_id, long long now,
                                                    link_lifetime lifetime);

struct shared_message {
    std::string role;
    std::string content;
    std::string sources_json; // empty: none
    std::string status;       // complete, cancelled, failed
    long long created_at_ms = 0;
};
struct shared_conversation {
    long long shared_at = 0;              // Unix seconds
    long long expires_at = 0;             // Unix seconds
    std::vector<shared_message> messages; // oldest first
    bool earlier_left_out = false;        // it had more than fit
};
// The conversation the link with this hash shows: the newest messages of
// every row under its name, at most `limit` of them and `max_bytes` of text
// (content and sources) in all. nullopt for no such link, or one expired at
// `now` (its lifetime over, or its anonymous conversation past retention
// although a pruning pass has not deleted it yet).
[[nodiscard]] std::optional<shared_conversation> find_shared(soci::session& s, const std::string& token_hash,
                                                             long long now, link_lifetime lifetime, int limit,
                                                             std::size_t max_bytes);

} // namespace chatkit::store::share_repo
