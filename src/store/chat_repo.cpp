#include "chatkit/store/chat_repo.hpp"

#include <soci/soci.h>

#include <charconv>
#include <string_view>
#include <unordered_map>

namespace chatkit::store::chat_repo {

namespace {

soci::indicator optional_text(const std::string& v)
{
    return v.empty() ? soci::i_null : soci::i_ok;
}

struct chunk {
    long long first_seq = 0;
    long long last_seq = 0;
    std::string frames;
};

// A row's frames back apart, each with the seq of its "id: <message>:<seq>"
// line. An SSE frame ends at its first blank line: data lines are prefixed,
// so "\n\n" never occurs inside one.
std::vector<std::pair<long long, std::string>> split_frames(std::string_view text)
{
    std::vector<std::pair<long long, std::string>> out;
    while (!text.empty()) {
        auto end = text.find("\n\n");
        auto frame = text.substr(0, end == std::string_view::npos ? text.size() : end + 2);
        text.remove_prefix(frame.size());
        auto line = frame.substr(0, frame.find('\n'));
        auto colon = line.rfind(':');
        long long n = -1;
        if (line.starts_with("id: ") && colon != std::string_view::npos)
            std::from_chars(line.data() + colon + 1, line.data() + line.size(), n);
        if (n >= 0)
            out.emplace_back(n, std::string(frame));
    }
    return out;
}

} // namespace

void insert_stream(soci::session& s, const new_stream& row)
{
    auto user_ind = optional_text(row.user_id);
    auto session_ind = optional_text(row.session_id);
    // Idempotent: a batch written again after an unclear failure must not wedge the journal.
    auto instance_ind = optional_text(row.instance_id);
    s << "INSERT INTO chat_streams (message_id, user_id, session_id, created_at, conversation_key, question, "
         "instance_id) VALUES (:id, :user, :session, :now, :key, :question, :instance) "
         "ON CONFLICT (message_id) DO NOTHING",
        soci::use(row.message_id, "id"), soci::use(row.user_id, user_ind, "user"),
        soci::use(row.session_id, session_ind, "session"), soci::use(row.now, "now"),
        soci::use(row.conversation_key, "key"), soci::use(row.question, "question"),
        soci::use(row.instance_id, instance_ind, "instance");
}

void append_events(soci::session& s, const std::vector<stream_event>& events)
{
    // One row per stream per flush. A batch written again after an unclear
    // failure starts at the same seq and holds at least as much: it replaces
    // the row it finds, and never shortens it.
    std::vector<std::string> order;
    std::unordered_map<std::string, chunk> chunks;
    for (const auto& e : events) {
        auto [it, fresh] = chunks.try_emplace(e.message_id, chunk{e.seq, e.seq, {}});
        if (fresh)
            order.push_back(e.message_id);
        it->second.last_seq = e.seq;
        it->second.frames.append(e.frame);
    }
    if (order.empty())
        return;
    std::string message_id;
    chunk row;
    soci::statement st =
        (s.prepare << "INSERT INTO stream_chunks (message_id, first_seq, last_seq, frames) "
                      "VALUES (:id, :first, :last, :frames) ON CONFLICT (message_id, first_seq) DO UPDATE "
                      "SET last_seq = excluded.last_seq, frames = excluded.frames "
                      "WHERE excluded.last_seq > stream_chunks.last_seq",
         soci::use(message_id, "id"), soci::use(row.first_seq, "first"), soci::use(row.last_seq, "last"),
         soci::use(row.frames, "frames"));
    for (auto& id : order) {
        message_id = id;
        row = std::move(chunks.at(id));
        st.execute(true);
    }
}

void finish_stream(soci::session& s, const std::string& message_id, long long now)
{
    s << "UPDATE chat_streams SET finished_at = :now WHERE message_id = :id", soci::use(now, "now"),
        soci::use(message_id, "id");
}

void request_cancel(soci::session& s, const std::string& message_id)
{
    s << "UPDATE chat_streams SET cancel_requested = 1 WHERE message_id = :id", soci::use(message_id, "id");
}

std::optional<stream_row> find_stream(soci::session& s, const std::string& message_id)
{
    stream_row r;
    soci::indicator user_ind = soci::i_null, session_ind = soci::i_null, finished_ind = soci::i_null;
    long long finished_at = 0;
    int cancel = 0;
    s << "SELECT user_id, session_id, finished_at, cancel_requested FROM chat_streams WHERE message_id = :id",
        soci::use(message_id), soci::into(r.user_id, user_ind), soci::into(r.session_id, session_ind),
        soci::into(finished_at, finished_ind), soci::into(cancel);
    if (!s.got_data())
        return std::nullopt;
    if (user_ind != soci::i_ok)
        r.user_id.clear();
    if (session_ind != soci::i_ok)
        r.session_id.clear();
    r.finished = finished_ind == soci::i_ok;
    r.cancel_requested = cancel != 0;
    return r;
}

bool has_events_after(soci::session& s, const std::string& message_id, long long seq)
{
    long long found = 0;
    s << "SELECT COUNT(*) FROM (SELECT 1 FROM stream_chunks WHERE message_id = :id AND last_seq > :seq LIMIT 1) later",
        soci::use(message_id, "id"), soci::use(seq, "seq"), soci::into(found);
    return found > 0;
}

std::vector<std::pair<long long, std::string>> events_after(soci::session& s, const std::string& message_id,
                                                            long long seq)
{
    std::vector<std::pair<long long, std::string>> out;
    std::string frames;
    soci::statement st = (s.prepare << "SELECT frames FROM stream_chunks WHERE message_id = :id AND last_seq > :seq "
                                       "ORDER BY first_seq",
                          soci::use(message_id, "id"), soci::use(seq, "seq"), soci::into(frames));
    st.execute();
    auto last = seq;
    while (st.fetch())
        for (auto& [n, frame] : split_frames(frames))
            // Rows of a retried flush may overlap: each seq once, in order.
            if (n > last) {
                last = n;
                out.emplace_back(n, std::move(frame));
            }
    return out;
}

std::vector<orphan> orphaned_streams(soci::session& s, long long now, long long started_before, int limit)
{
    std::vector<orphan> out;
    orphan o;
    soci::indicator user_ind = soci::i_null, session_ind = soci::i_null, key_ind = soci::i_null,
                    question_ind = soci::i_null;
    soci::statement st =
        (s.prepare << "SELECT c.message_id, c.user_id, c.session_id, c.conversation_key, c.question "
                      "FROM chat_streams c WHERE c.finished_at IS NULL AND c.created_at < :before "
                      "AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.name = 'instance:' || c.instance_id "
                      "AND l.expires_at >= :now) ORDER BY c.created_at LIMIT :limit",
         soci::use(started_before, "before"), soci::use(now, "now"), soci::use(limit, "limit"),
         soci::into(o.message_id), soci::into(o.user_id, user_ind), soci::into(o.session_id, session_ind),
         soci::into(o.conversation_key, key_ind), soci::into(o.question, question_ind));
    st.execute();
    while (st.fetch()) {
        auto row = o;
        if (user_ind != soci::i_ok)
            row.user_id.clear();
        if (session_ind != soci::i_ok)
            row.session_id.clear();
        if (key_ind != soci::i_ok)
            row.conversation_key = "default";
        if (question_ind != soci::i_ok)
            row.question.clear();
        out.push_back(std::move(row));
    }
    return out;
}

bool finish_if_open(soci::session& s, const std::string& message_id, long long now)
{
    soci::statement st =
        (s.prepare << "UPDATE chat_streams SET finished_at = :now WHERE message_id = :id AND finished_at IS NULL",
         soci::use(now, "now"), soci::use(message_id, "id"));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

void renew_instance(soci::session& s, const std::string& instance_id, long long now, long long until)
{
    std::string name = "instance:" + instance_id;
    s << "INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, :until) "
         "ON CONFLICT (name) DO UPDATE SET expires_at = :until2",
        soci::use(name, "name"), soci::use(instance_id, "holder"), soci::use(until, "until"),
        soci::use(until, "until2");
    constexpr long long forget_after = 24 * 3600;
    long long long_ago = now - forget_after;
    s << "DELETE FROM leases WHERE name LIKE 'instance:%' AND expires_at < :cutoff", soci::use(long_ago, "cutoff");
}

void transfer_streams(soci::session& s, const std::string& from_session, const std::string& to_session)
{
    s << "UPDATE chat_streams SET session_id = :to WHERE session_id = :from", soci::use(to_session, "to"),
        soci::use(from_session, "from");
}

std::vector<stream_stop> streams_to_stop(soci::session& s, bool with_ended_sessions)
{
    std::vector<stream_stop> out;
    std::string id;
    int ended = 0;
    // Cancel requests (made on any instance), and answers whose session was
    // logged out or revoked (not migrated into an account: those go on).
    std::string sql = "SELECT message_id, 0 FROM chat_streams WHERE finished_at IS NULL AND cancel_requested = 1";
    if (with_ended_sessions)
        sql += " UNION SELECT c.message_id, 1 FROM chat_streams c JOIN sessions x ON x.id = c.session_id "
               "WHERE c.finished_at IS NULL AND x.revoked_at IS NOT NULL AND x.migrated_to IS NULL";
    soci::statement st = (s.prepare << sql, soci::into(id), soci::into(ended));
    st.execute();
    while (st.fetch())
        out.push_back({id, ended != 0});
    return out;
}

int unfinished_streams(soci::session& s, const std::string& session_id)
{
    int n = 0;
    s << "SELECT COUNT(*) FROM chat_streams WHERE session_id = :sid AND finished_at IS NULL", soci::use(session_id),
        soci::into(n);
    return n;
}

void record_turn(soci::session& s, const std::string& message_id, const std::string& conversation_key,
                 const std::string& session_id, const std::string& user_id, const turn& t, long long now)
{
    // A user's conversation follows the account across sessions (refresh,
    // sign-in on another device); an anonymous one lives in its session.
    std::string conversation_id;
    if (!user_id.empty())
        s << "SELECT id FROM conversations WHERE user_id = :owner AND client_key = :key "
             "ORDER BY created_at DESC, id LIMIT 1",
            soci::use(user_id, "owner"), soci::use(conversation_key, "key"), soci::into(conversation_id);
    else
        s << "SELECT id FROM conversations WHERE session_id = :owner AND client_key = :key "
             "ORDER BY created_at DESC, id LIMIT 1",
            soci::use(session_id, "owner"), soci::use(conversation_key, "key"), soci::into(conversation_id);
    if (!s.got_data()) {
        conversation_id = message_id + "-c";
        auto user_ind = optional_text(user_id);
        s << "INSERT INTO conversations (id, session_id, user_id, created_at, client_key) "
             "VALUES (:id, :session, :user, :now, :key)",
            soci::use(conversation_id, "id"), soci::use(session_id, "session"), soci::use(user_id, user_ind, "user"),
            soci::use(now, "now"), soci::use(conversation_key, "key");
    }
    // Turns that finish within the same millisecond must still sort in the
    // order they were recorded: each message comes after the last one.
    long long last = 0;
    soci::indicator last_ind = soci::i_ok;
    s << "SELECT MAX(created_at) FROM messages WHERE conversation_id = :id", soci::use(conversation_id),
        soci::into(last, last_ind);
    if (last_ind == soci::i_ok && now <= last)
        now = last + 1;
    // Ids from the answer's own: recording the same turn twice stores it once.
    auto question_id = message_id + "-q";
    auto answer_id = message_id + "-a";
    int recorded = 0;
    s << "SELECT COUNT(*) FROM messages WHERE id = :id", soci::use(answer_id), soci::into(recorded);
    if (recorded > 0)
        return;
    std::string user_role = "user", assistant_role = "assistant";
    soci::indicator no_sources = soci::i_null;
    std::string empty;
    s << "INSERT INTO messages (id, conversation_id, role, content, sources, created_at) "
         "VALUES (:id, :conv, :role, :content, :sources, :now)",
        soci::use(question_id, "id"), soci::use(conversation_id, "conv"), soci::use(user_role, "role"),
        soci::use(t.question, "content"), soci::use(empty, no_sources, "sources"), soci::use(now, "now");
    long long later = now + 1; // milliseconds: the answer sorts after its question
    s << "INSERT INTO messages (id, conversation_id, role, content, sources, created_at, status) "
         "VALUES (:id, :conv, :role, :content, :sources, :now, :status)",
        soci::use(answer_id, "id"), soci::use(conversation_id, "conv"), soci::use(assistant_role, "role"),
        soci::use(t.answer, "content"), soci::use(t.sources_json, "sources"), soci::use(later, "now"),
        soci::use(t.status, "status");
    // An anonymous session moved into an account while this answer was on
    // its way: the turn joins the chat the move made.
    std::string chat_id;
    soci::indicator chat_ind = soci::i_null;
    s << "SELECT migrated_to FROM sessions WHERE id = :sid", soci::use(session_id), soci::into(chat_id, chat_ind);
    if (!s.got_data() || chat_ind != soci::i_ok)
        return;
    int position = 0;
    soci::indicator position_ind = soci::i_null;
    s << "SELECT MAX(position) FROM saved_chat_messages WHERE chat_id = :id", soci::use(chat_id),
        soci::into(position, position_ind);
    position = position_ind == soci::i_ok ? position + 1 : 0;
    for (const auto* m : {&t.question, &t.answer}) {
        bool question = m == &t.question;
        if (!question && m->empty())
            break; // a saved chat holds what was said
        const std::string& role = question ? user_role : assistant_role;
        const std::string& sources = question ? empty : t.sources_json;
        auto sources_ind = question ? soci::i_null : soci::i_ok;
        s << "INSERT INTO saved_chat_messages (chat_id, position, role, content, sources) "
             "SELECT :id, :pos, :role, :content, :sources WHERE EXISTS (SELECT 1 FROM saved_chats WHERE id = :id2)",
            soci::use(chat_id, "id"), soci::use(position, "pos"), soci::use(role, "role"), soci::use(*m, "content"),
            soci::use(sources, sources_ind, "sources"), soci::use(chat_id, "id2");
        ++position;
    }
}

std::vector<std::string> recent_questions(soci::session& s, const std::string& user_id, int limit)
{
    std::vector<std::string> out;
    std::string content;
    soci::statement st =
        (s.prepare << "SELECT m.content FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                      "WHERE c.user_id = :user AND m.role = 'user' ORDER BY m.created_at DESC LIMIT :limit",
         soci::use(user_id, "user"), soci::use(limit, "limit"), soci::into(content));
    st.execute();
    while (st.fetch())
        out.push_back(content);
    std::string saved;
    soci::statement st2 =
        (s.prepare << "SELECT m.content FROM saved_chat_messages m JOIN saved_chats c ON c.id = m.chat_id "
                      "WHERE c.user_id = :user AND m.role = 'user' ORDER BY c.saved_at DESC LIMIT :limit",
         soci::use(user_id, "user"), soci::use(limit, "limit"), soci::into(saved));
    st2.execute();
    while (st2.fetch())
        out.push_back(saved);
    return out;
}

void save_chat(soci::session& s, const std::string& user_id, const saved_chat& chat)
{
    soci::transaction tx(s);
    s << "INSERT INTO saved_chats (id, user_id, title, saved_at) VALUES (:id, :user, :title, :now)",
        soci::use(chat.id, "id"), soci::use(user_id, "user"), soci::use(chat.title, "title"),
        soci::use(chat.saved_at, "now");
    int position = 0;
    std::string role, content, sources;
    soci::indicator sources_ind = soci::i_null;
    soci::statement st = (s.prepare << "INSERT INTO saved_chat_messages (chat_id, position, role, content, sources) "
                                       "VALUES (:id, :pos, :role, :content, :sources)",
                          soci::use(chat.id, "id"), soci::use(position, "pos"), soci::use(role, "role"),
                          soci::use(content, "content"), soci::use(sources, sources_ind, "sources"));
    for (const auto& m : chat.messages) {
        role = m.role;
        content = m.content;
        sources = m.sources_json;
        sources_ind = optional_text(sources);
        st.execute(true);
        ++position;
    }
    tx.commit();
}

std::vector<saved_chat> list_saved(soci::session& s, const std::string& user_id)
{
    std::vector<saved_chat> out;
    saved_chat row;
    soci::statement st = (s.prepare << "SELECT c.id, c.title, c.saved_at, "
                                       "(SELECT COUNT(*) FROM saved_chat_messages m WHERE m.chat_id = c.id) "
                                       "FROM saved_chats c WHERE c.user_id = :user ORDER BY c.saved_at DESC, c.id",
                          soci::use(user_id, "user"), soci::into(row.id), soci::into(row.title),
                          soci::into(row.saved_at), soci::into(row.message_count));
    st.execute();
    while (st.fetch())
        out.push_back(row);
    return out;
}

std::optional<saved_chat> find_saved(soci::session& s, const std::string& user_id, const std::string& chat_id)
{
    saved_chat chat;
    s << "SELECT id, title, saved_at FROM saved_chats WHERE id = :id AND user_id = :user", soci::use(chat_id, "id"),
        soci::use(user_id, "user"), soci::into(chat.id), soci::into(chat.title), soci::into(chat.saved_at);
    if (!s.got_data())
        return std::nullopt;
    saved_message m;
    soci::indicator sources_ind = soci::i_null;
    soci::statement st =
        (s.prepare << "SELECT role, content, sources FROM saved_chat_messages WHERE chat_id = :id "
                      "ORDER BY position",
         soci::use(chat_id, "id"), soci::into(m.role), soci::into(m.content), soci::into(m.sources_json, sources_ind));
    st.execute();
    while (st.fetch()) {
        if (sources_ind != soci::i_ok)
            m.sources_json.clear();
        chat.messages.push_back(m);
    }
    chat.message_count = static_cast<long long>(chat.messages.size());
    return chat;
}

bool delete_saved(soci::session& s, const std::string& user_id, const std::string& chat_id)
{
    soci::transaction tx(s);
    s << "DELETE FROM saved_chat_messages WHERE chat_id IN "
         "(SELECT id FROM saved_chats WHERE id = :id AND user_id = :user)",
        soci::use(chat_id, "id"), soci::use(user_id, "user");
    soci::statement st = (s.prepare << "DELETE FROM saved_chats WHERE id = :id AND user_id = :user",
                          soci::use(chat_id, "id"), soci::use(user_id, "user"));
    st.execute(true);
    bool deleted = st.get_affected_rows() == 1;
    tx.commit();
    return deleted;
}

} // namespace chatkit::store::chat_repo
