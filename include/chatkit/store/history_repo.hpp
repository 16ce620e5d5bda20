#pragma once

#include <string>

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

} // namespace chatkit::store::history_repo
