#include "chatkit/services/saved_chats.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

namespace chatkit::services {

namespace repo = store::chat_repo;

boost::asio::awaitable<repo::saved_chat> saved_chats::save(const std::string& user_id, saved_chat_input chat)
{
    repo::saved_chat row;
    row.id = security::new_uuid();
    row.saved_at = util::now_seconds();
    row.title = std::move(chat.title);
    row.messages = std::move(chat.messages);
    row.message_count = static_cast<long long>(row.messages.size());
    co_await db_.write([&](soci::session& s) { repo::save_chat(s, user_id, row); });
    co_return row;
}

boost::asio::awaitable<store::history_repo::conversation_history> saved_chats::current(const std::string& user_id,
                                                                                       const std::string& session_id)
{
    constexpr int limit = 50;
    auto now = util::now_seconds();
    co_return co_await db_.read([&](soci::session& s) {
        return store::history_repo::current_conversation(s, user_id, session_id, limit, now,
                                                         store::history_repo::unfinished_answer_stale_s);
    });
}

boost::asio::awaitable<std::vector<repo::saved_chat>> saved_chats::list(const std::string& user_id)
{
    co_return co_await db_.read([&](soci::session& s) { return repo::list_saved(s, user_id); });
}

boost::asio::awaitable<std::optional<repo::saved_chat>> saved_chats::find(const std::string& user_id,
                                                                          const std::string& chat_id)
{
    co_return co_await db_.read([&](soci::session& s) { return repo::find_saved(s, user_id, chat_id); });
}

boost::asio::awaitable<bool> saved_chats::remove(const std::string& user_id, const std::string& chat_id)
{
    co_return co_await db_.write([&](soci::session& s) { return repo::delete_saved(s, user_id, chat_id); });
}

boost::asio::awaitable<std::vector<std::string>> saved_chats::recent_questions(const std::string& user_id, int limit)
{
    co_return co_await db_.read([&](soci::session& s) { return repo::recent_questions(s, user_id, limit); });
}

} // namespace chatkit::services
