#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace soci {
class session;
}

// Answer streams (for resume across instances), conversation history and
// saved chats. Stream and history writes run in the caller's transaction
// (the stream journal batches many of them into one).
namespace chatkit::store::chat_repo {

struct stream_row {
    std::string user_id;    // empty: none
    std::string session_id; // empty: none
    bool finished = false;
    bool cancel_requested = false;
};

struct new_stream {
    std::string message_id;
    std::string user_id;          // empty: none
    std::string session_id;       // empty: none
    std::string conversation_key; // the client's name for the conversation
    std::string question;
    long long now = 0;
    std::string instance_id; // the instance producing it
};
void insert_stream(soci::session& s, const new_stream& row);
struct stream_event {
    std::string message_id;
    long long seq;
    std::string frame;
};
// One prepared statement for the whole batch, whichever streams it spans.
void append_events(soci::session& s, const std::vector<stream_event>& events);
void finish_stream(soci::session& s, const std::string& message_id, long long now);
void request_cancel(soci::session& s, const std::string& message_id);
std::optional<stream_row> find_stream(soci::session& s, const std::string& message_id);
bool has_events_after(soci::session& s, const std::string& message_id, long long seq);
std::vector<std::pair<long long, std::string>> events_after(soci::session& s, const std::string& message_id,
                                                            long long seq);

struct turn {
    std::string question;
    std::string answer;
    std::string sources_json;
    std::string status = "complete"; // or cancelled, failed
};
// Appends a question and its answer to the caller's conversation named
// `conversation_key` (the account's, for a user; else the session's), once
// per answer (`message_id`), and to the saved chat the session was migrated
// into meanwhile, if it was. Message times are Unix milliseconds (several
// turns can fall in one second).
void record_turn(soci::session& s, const std::string& message_id, const std::string& conversation_key,
                 const std::string& session_id, const std::string& user_id, const turn& t, long long now_ms);

// Unfinished answers whose instance's lease lapsed (it died), started
// before `started_before`; at most `limit`.
struct orphan {
    std::string message_id;
    std::string user_id;
    std::string session_id;
    std::string conversation_key;
    std::string question;
};
std::vector<orphan> orphaned_streams(soci::session& s, long long now, long long started_before, int limit);
// Marks the answer finished unless it already was; false when another
// instance got there first.
bool finish_if_open(soci::session& s, const std::string& message_id, long long now);
// Keeps this instance's lease ("instance:<id>") alive until `until`, and
// drops instance leases that lapsed long ago.
void renew_instance(soci::session& s, const std::string& instance_id, long long now, long long until);

// A rotated token's session takes over its predecessor's answers.
void transfer_streams(soci::session& s, const std::string& from_session, const std::string& to_session);
// Unfinished answers to stop: cancel requested, or (with_ended_sessions)
// their session logged out or revoked.
struct stream_stop {
    std::string message_id;
    bool session_ended;
};
std::vector<stream_stop> streams_to_stop(soci::session& s, bool with_ended_sessions);
int unfinished_streams(soci::session& s, const std::string& session_id);

// Up to `limit` recent user questions of a user (newest first).
std::vector<std::string> recent_questions(soci::session& s, const std::string& user_id, int limit);

struct saved_message {
    std::string role;
    std::string content;
    std::string sources_json; // empty: none
};
struct saved_chat {
    std::string id;
    std::string title;
    long long saved_at = 0;
    long long message_count = 0;
    std::vector<saved_message> messages; // filled by find_saved only
};
void save_chat(soci::session& s, const std::string& user_id, const saved_chat& chat);
std::vector<saved_chat> list_saved(soci::session& s, const std::string& user_id);
std::optional<saved_chat> find_saved(soci::session& s, const std::string& user_id, const std::string& chat_id);
bool delete_saved(soci::session& s, const std::string& user_id, const std::string& chat_id);

} // namespace chatkit::store::chat_repo
