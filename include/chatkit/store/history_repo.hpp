#pragma once

#include <string>
#include <vector>

namespace soci {
class session;
}

// Conversations kept for anonymous-token and user sessions, and the saved
// chats they can become.
namespace chatkit::store::history_repo {

// Copies every message of the anonymous session's conversations, in order,
// into a new saved chat of the user; returns how many were moved. The chat
// is made (even empty) when an answer of the session is still unfinished, so
// that answer can join it. Runs in the caller's transaction.
int move_to_saved_chat(soci::session& s, const std::string& anon_session_id, const std::string& user_id,
                       const std::string& chat_id, const std::string& title, long long now);

struct history_message {
    std::string id;
    std::string role;
    std::string content;
    std::string sources_json; // empty: none
    std::string status;       // complete, cancelled, failed, streaming
    long long created_at_ms = 0;
};
struct conversation_history {
    std::string key; // the client's name for it; empty: no conversation yet
    std::vector<history_message> messages;
};
// An answer not finished after this long lost its instance (answers end
// within a few minutes: the model's timeouts, LLM_MAX_ANSWER_BYTES).
inline constexpr long long unfinished_answer_stale_s = 300;

// The caller's current conversation: the one an unfinished answer belongs
// to, else the one with the latest message; the account's for a user (every
// session of it), else the session's. Its last `limit` messages, oldest
// first, with an unfinished answer as a `streaming` message after its
// question. An answer unfinished after `stale_after_s` seconds (its instance
// died) is `failed`.
conversation_history current_conversation(soci::session& s, const std::string& user_id, const std::string& session_id,
                                          int limit, long long now, long long stale_after_s);

} // namespace chatkit::store::history_repo
