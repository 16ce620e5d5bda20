#include "chatkit/store/history_repo.hpp"

#include <soci/soci.h>

#include <vector>

namespace chatkit::store::history_repo {

int move_to_saved_chat(soci::session& s, const std::string& anon_session_id, const std::string& user_id,
                       const std::string& chat_id, const std::string& title, long long now)
{
    std::vector<std::pair<std::string, std::string>> messages;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT m.role, m.content FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                      "WHERE c.session_id = :sid ORDER BY m.created_at, m.id",
         soci::use(anon_session_id, "sid"));
    for (const auto& r : rows)
        messages.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    // An answer still on its way joins this chat when it ends (record_turn).
    int pending = 0;
    s << "SELECT COUNT(*) FROM chat_streams WHERE session_id = :sid AND finished_at IS NULL",
        soci::use(anon_session_id), soci::into(pending);
    if (messages.empty() && pending == 0)
        return 0;
    s << "INSERT INTO saved_chats (id, user_id, title, saved_at) VALUES (:id, :user, :title, :now)",
        soci::use(chat_id, "id"), soci::use(user_id, "user"), soci::use(title, "title"), soci::use(now, "now");
    int position = 0;
    for (auto& [role, content] : messages) {
        s << "INSERT INTO saved_chat_messages (chat_id, position, role, content) VALUES (:id, :pos, :role, :content)",
            soci::use(chat_id, "id"), soci::use(position, "pos"), soci::use(role, "role"),
            soci::use(content, "content");
        ++position;
    }
    s << "UPDATE conversations SET user_id = :user WHERE session_id = :sid", soci::use(user_id, "user"),
        soci::use(anon_session_id, "sid");
    return position;
}

} // namespace chatkit::store::history_repo
