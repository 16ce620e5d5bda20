#include "chatkit/store/history_repo.hpp"

#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/share_repo.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <vector>

namespace chatkit::store::history_repo {

int move_to_saved_chat(soci::session& s, const std::string& anon_session_id, const std::string& user_id,
                       const std::string& chat_id, const std::string& title, long long now)
{
    std::vector<chat_repo::saved_message> messages;
    // A saved chat holds what was said: not an answer that failed before its first word.
    soci::rowset<soci::row> rows = (s.prepare << "SELECT m.role, m.content, m.sources FROM messages m "
                                                 "JOIN conversations c ON c.id = m.conversation_id "
                                                 "WHERE c.session_id = :sid AND (m.role = 'user' OR m.content <> '') "
                                                 "ORDER BY m.created_at, m.id",
                                    soci::use(anon_session_id, "sid"));
    for (const auto& r : rows)
        messages.push_back({r.get<std::string>(0), r.get<std::string>(1),
                            r.get_indicator(2) == soci::i_ok ? r.get<std::string>(2) : std::string()});
    // An answer still on its way joins this chat when it ends (record_turn).
    int pending = 0;
    s << "SELECT COUNT(*) FROM chat_streams WHERE session_id = :sid AND finished_at IS NULL",
        soci::use(anon_session_id), soci::into(pending);
    if (messages.empty() && pending == 0)
        return 0;
    s << "INSERT INTO saved_chats (id, user_id, title, saved_at) VALUES (:id, :user, :title, :now)",
        soci::use(chat_id, "id"), soci::use(user_id, "user"), soci::use(title, "title"), soci::use(now, "now");
    int position = 0;
    for (auto& m : messages) {
        auto sources_ind = m.sources_json.empty() ? soci::i_null : soci::i_ok;
        s << "INSERT INTO saved_chat_messages (chat_id, position, role, content, sources) "
             "VALUES (:id, :pos, :role, :content, :sources)",
            soci::use(chat_id, "id"), soci::use(position, "pos"), soci::use(m.role, "role"),
            soci::use(m.content, "content"), soci::use(m.sources_json, sources_ind, "sources");
        ++position;
    }
    s << "UPDATE conversations SET user_id = :user WHERE session_id = :sid", soci::use(user_id, "user"),
        soci::use(anon_session_id, "sid");
    // A name the account used already now holds two rows, each perhaps
    // with its link: one conversation keeps one link.
    share_repo::keep_one_link_per_name(s, user_id);
    return position;
}

conversation_history current_conversation(soci::session& s, const std::string& user_id, const std::string& session_id,
                                          int limit, long long now, long long stale_after_s)
{
    // Column names only, never input: the owner's value is always bound.
    const std::string owner_column = user_id.empty() ? "session_id" : "user_id";
    const std::string& owner = user_id.empty() ? session_id : user_id;
    conversation_history out;
    soci::indicator key_ind = soci::i_null;
    const long long since = now - stale_after_s; // bound by reference: it must outlive the statement
    s << "SELECT conversation_key FROM chat_streams WHERE " + owner_column +
             " = :owner AND finished_at IS NULL AND conversation_key IS NOT NULL AND created_at > :since "
             "ORDER BY created_at DESC, message_id DESC LIMIT 1",
        soci::use(owner, "owner"), soci::use(since, "since"), soci::into(out.key, key_ind);
    if (!s.got_data() || key_ind != soci::i_ok) {
        out.key.clear();
        s << "SELECT c.client_key FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c." +
                 owner_column + " = :owner ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            soci::use(owner, "owner"), soci::into(out.key);
        if (!s.got_data())
            return out;
    }

    // Typed binds, not rows: SQLite and PostgreSQL describe integer columns
    // differently.
    history_message m;
    soci::indicator sources_ind = soci::i_null;
    soci::statement recent =
        (s.prepare << "SELECT m.id, m.role, m.content, m.sources, m.status, m.created_at FROM messages m "
                      "JOIN conversations c ON c.id = m.conversation_id WHERE c." +
                          owner_column +
                          " = :owner AND c.client_key = :key ORDER BY m.created_at DESC, m.id DESC LIMIT :limit",
         soci::use(owner, "owner"), soci::use(out.key, "key"), soci::use(limit, "limit"), soci::into(m.id),
         soci::into(m.role), soci::into(m.content), soci::into(m.sources_json, sources_ind), soci::into(m.status),
         soci::into(m.created_at_ms));
    recent.execute();
    while (recent.fetch()) {
        if (sources_ind != soci::i_ok)
            m.sources_json.clear();
        out.messages.push_back(m);
    }
    std::reverse(out.messages.begin(), out.messages.end());

    std::string id, question;
    soci::indicator question_ind = soci::i_null;
    long long created = 0;
    soci::statement open =
        (s.prepare << "SELECT message_id, question, created_at FROM chat_streams WHERE " + owner_column +
                          " = :owner AND conversation_key = :key AND finished_at IS NULL "
                          "ORDER BY created_at, message_id",
         soci::use(owner, "owner"), soci::use(out.key, "key"), soci::into(id), soci::into(question, question_ind),
         soci::into(created));
    open.execute();
    while (open.fetch()) {
        auto status = created > now - stale_after_s ? "streaming" : "failed";
        // chat_streams keeps whole seconds, stored turns milliseconds: an
        // answer started in the second a turn was stored came after it.
        out.messages.push_back({id + "-q", "user", question_ind == soci::i_ok ? question : std::string(), "",
                                "complete", created * 1000 + 998});
        out.messages.push_back({id, "assistant", "", "", status, created * 1000 + 999});
    }
    // Oldest first, an unfinished answer among the stored turns by its time.
    std::stable_sort(out.messages.begin(), out.messages.end(), [](const history_message& a, const history_message& b) {
        return a.created_at_ms < b.created_at_ms;
    });
    if (out.messages.size() > static_cast<std::size_t>(limit))
        out.messages.erase(out.messages.begin(), out.messages.end() - limit);
    return out;
}

} // namespace chatkit::store::history_repo
