#pragma once

#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/history_repo.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

struct saved_chat_input {
    std::string title;
    std::vector<store::chat_repo::saved_message> messages;
};

// What a reader keeps: the current conversation (read back on every page),
// and a user's saved chats (save, list, read, delete). Nobody sees another's.
class saved_chats {
public:
    explicit saved_chats(store::db_executor& db) : db_(db) {}

    boost::asio::awaitable<store::chat_repo::saved_chat> save(const std::string& user_id, saved_chat_input chat);
    boost::asio::awaitable<std::vector<store::chat_repo::saved_chat>> list(const std::string& user_id);
    boost::asio::awaitable<std::optional<store::chat_repo::saved_chat>> find(const std::string& user_id,
                                                                             const std::string& chat_id);
    // false when the user has no such chat.
    boost::asio::awaitable<bool> remove(const std::string& user_id, const std::string& chat_id);
    // The caller's current conversation, its last 50 messages.
    boost::asio::awaitable<store::history_repo::conversation_history> current(const std::string& user_id,
                                                                              const std::string& session_id);
    // What the user asked lately (newest first), for personalization.
    boost::asio::awaitable<std::vector<std::string>> recent_questions(const std::string& user_id, int limit);

private:
    store::db_executor& db_;
};

} // namespace chatkit::services
