#include "chatkit/store/user_data_repo.hpp"

#include <boost/json/array.hpp>
#include <soci/soci.h>

namespace chatkit::store::user_data_repo {

namespace {

// Typed binds, not rows: SQLite and PostgreSQL describe integer columns
// differently.
std::vector<std::string> session_ids(soci::session& s, const std::string& user_id)
{
    std::vector<std::string> out;
    std::string id;
    soci::statement st = (s.prepare << "SELECT id FROM sessions WHERE user_id = :u ORDER BY created_at",
                          soci::use(user_id, "u"), soci::into(id));
    st.execute();
    while (st.fetch())
        out.push_back(id);
    return out;
}

// The user's conversations: theirs, or their sessions' from before they signed in.
// A placeholder is bound once per name on every backend: the user's id goes
// in twice, as :u and :v.
const char* const conversations_of = "(SELECT c.id FROM conversations c WHERE c.user_id = :u OR c.session_id IN "
                                     "(SELECT id FROM sessions WHERE user_id = :v))";
const char* const streams_of =
    "(SELECT message_id FROM chat_streams WHERE user_id = :u OR session_id IN (SELECT id FROM sessions WHERE user_id = "
    ":v))";

boost::json::value nullable(long long v, soci::indicator ind)
{
    return ind == soci::i_ok ? boost::json::value(v) : boost::json::value(nullptr);
}

} // namespace

boost::json::object export_user(soci::session& s, const identity_repo::user_row& user)
{
    boost::json::object out;
    long long created = 0, consent = 0;
    soci::indicator consent_ind = soci::i_null;
    s << "SELECT created_at, consent_at FROM users WHERE id = :u", soci::use(user.id, "u"), soci::into(created),
        soci::into(consent, consent_ind);
    out["user"] = {{"id", user.id},     {"email", user.email},   {"verified", user.verified},
                   {"tier", user.tier}, {"created_at", created}, {"consent_at", nullable(consent, consent_ind)}};

    boost::json::array sessions;
    {
        std::string id;
        long long made = 0, seen = 0, expires = 0, revoked = 0;
        soci::indicator revoked_ind = soci::i_null;
        soci::statement st =
            (s.prepare
                 << "SELECT id, created_at, last_seen_at, expires_at, revoked_at FROM sessions WHERE user_id = :u "
                    "ORDER BY created_at",
             soci::use(user.id, "u"), soci::into(id), soci::into(made), soci::into(seen), soci::into(expires),
             soci::into(revoked, revoked_ind));
        st.execute();
        while (st.fetch())
            sessions.push_back({{"id", id},
                                {"created_at", made},
                                {"last_seen_at", seen},
                                {"expires_at", expires},
                                {"revoked_at", nullable(revoked, revoked_ind)}});
    }
    out["sessions"] = std::move(sessions);

    boost::json::array conversations;
    {
        std::string id, key;
        long long made = 0, shared = 0;
        soci::indicator shared_ind = soci::i_null;
        // Whether it has a read-only link, and since when; never the link.
        soci::statement st =
            (s.prepare << std::string("SELECT c.id, c.client_key, c.created_at, x.created_at FROM conversations c "
                                      "LEFT JOIN conversation_shares x ON x.conversation_id = c.id WHERE c.id IN ") +
                              conversations_of + " ORDER BY c.created_at",
             soci::use(user.id, "u"), soci::use(user.id, "v"), soci::into(id), soci::into(key), soci::into(made),
             soci::into(shared, shared_ind));
        st.execute();
        while (st.fetch())
            conversations.push_back({{"id", id},
                                     {"key", key},
                                     {"created_at", made},
                                     {"shared_since", nullable(shared, shared_ind)},
                                     {"messages", boost::json::array{}}});
    }
    for (auto& c : conversations) {
        auto& o = c.as_object();
        std::string conversation(o.at("id").as_string());
        std::string role, content;
        long long at = 0;
        soci::statement st = (s.prepare << "SELECT role, content, created_at FROM messages WHERE conversation_id = :c "
                                           "ORDER BY created_at, id",
                              soci::use(conversation, "c"), soci::into(role), soci::into(content), soci::into(at));
        st.execute();
        auto& messages = o.at("messages").as_array();
        while (st.fetch())
            messages.push_back({{"role", role}, {"content", content}, {"created_at", at}});
    }
    out["conversations"] = std::move(conversations);

    boost::json::array saved;
    {
        std::string id, title;
        long long at = 0;
        soci::statement st =
            (s.prepare << "SELECT id, title, saved_at FROM saved_chats WHERE user_id = :u ORDER BY saved_at",
             soci::use(user.id, "u"), soci::into(id), soci::into(title), soci::into(at));
        st.execute();
        while (st.fetch())
            saved.push_back({{"id", id}, {"title", title}, {"saved_at", at}, {"messages", boost::json::array{}}});
    }
    for (auto& c : saved) {
        auto& o = c.as_object();
        std::string chat(o.at("id").as_string());
        std::string role, content;
        soci::statement st = (s.prepare << "SELECT role, content FROM saved_chat_messages WHERE chat_id = :c "
                                           "ORDER BY position",
                              soci::use(chat, "c"), soci::into(role), soci::into(content));
        st.execute();
        auto& messages = o.at("messages").as_array();
        while (st.fetch())
            messages.push_back({{"role", role}, {"content", content}});
    }
    out["saved_chats"] = std::move(saved);

    boost::json::array events;
    {
        std::string type, data;
        soci::indicator data_ind = soci::i_null;
        long long at = 0;
        soci::statement st = (s.prepare << "SELECT event_type, event_data, created_at FROM analytics_events WHERE "
                                           "user_id = :u ORDER BY created_at",
                              soci::use(user.id, "u"), soci::into(type), soci::into(data, data_ind), soci::into(at));
        st.execute();
        while (st.fetch())
            events.push_back({{"type", type},
                              {"data", data_ind == soci::i_ok ? boost::json::value(data) : nullptr},
                              {"created_at", at}});
    }
    out["analytics_events"] = std::move(events);

    boost::json::array ratings;
    {
        std::string message, rating, reason, comment;
        soci::indicator reason_ind = soci::i_null, comment_ind = soci::i_null;
        long long at = 0;
        soci::statement st =
            (s.prepare << "SELECT message_id, rating, reason, comment, updated_at FROM answer_feedback WHERE user_id = "
                          ":u ORDER BY updated_at",
             soci::use(user.id, "u"), soci::into(message), soci::into(rating), soci::into(reason, reason_ind),
             soci::into(comment, comment_ind), soci::into(at));
        st.execute();
        while (st.fetch())
            ratings.push_back({{"message_id", message},
                               {"rating", rating},
                               {"reason", reason_ind == soci::i_ok ? boost::json::value(reason) : nullptr},
                               {"comment", comment_ind == soci::i_ok ? boost::json::value(comment) : nullptr},
                               {"rated_at", at}});
    }
    out["answer_ratings"] = std::move(ratings);
    return out;
}

std::vector<std::string> delete_user(soci::session& s, const identity_repo::user_row& user)
{
    auto sessions = session_ids(s, user.id);
    const std::string& u = user.id;
    s << std::string("DELETE FROM stream_chunks WHERE message_id IN ") + streams_of, soci::use(u, "u"),
        soci::use(u, "v");
    s << std::string("DELETE FROM chat_streams WHERE message_id IN ") + streams_of, soci::use(u, "u"),
        soci::use(u, "v");
    s << std::string("DELETE FROM conversation_shares WHERE conversation_id IN ") + conversations_of, soci::use(u, "u"),
        soci::use(u, "v");
    s << std::string("DELETE FROM messages WHERE conversation_id IN ") + conversations_of, soci::use(u, "u"),
        soci::use(u, "v");
    s << std::string("DELETE FROM conversations WHERE id IN ") + conversations_of, soci::use(u, "u"), soci::use(u, "v");
    s << "DELETE FROM saved_chat_messages WHERE chat_id IN (SELECT id FROM saved_chats WHERE user_id = :u)",
        soci::use(u, "u");
    s << "DELETE FROM saved_chats WHERE user_id = :u", soci::use(u, "u");
    s << "DELETE FROM analytics_events WHERE user_id = :u OR session_id IN (SELECT id FROM sessions WHERE user_id = "
         ":v)",
        soci::use(u, "u"), soci::use(u, "v");
    s << "DELETE FROM answer_feedback WHERE user_id = :u OR session_id IN (SELECT id FROM sessions WHERE user_id = :v)",
        soci::use(u, "u"), soci::use(u, "v");
    s << "DELETE FROM verification_tokens WHERE email = :e", soci::use(user.email, "e");
    s << "DELETE FROM mail_outbox WHERE recipient = :e", soci::use(user.email, "e");
    s << "DELETE FROM sessions WHERE user_id = :u", soci::use(u, "u");
    s << "DELETE FROM users WHERE id = :u", soci::use(u, "u");
    identity_repo::announce_user_change(s, u);
    return sessions;
}

} // namespace chatkit::store::user_data_repo
