#include "chatkit/store/insights_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::insights_repo {

namespace {

// An answer's message is "<id>-a", its question "<id>-q" (chat_repo): the
// question of answer `a` is found by that name. A refusal cites nothing.
const char* const question_of_answer = "q.id = substr(a.id, 1, length(a.id) - 2) || '-q'";
const char* const refusal = "(a.sources IS NULL OR a.sources = '[]')";

} // namespace

window_data read_window(soci::session& s, long long from, long long to, int limit)
{
    window_data out;
    const long long from_ms = from * 1000, to_ms = to * 1000;
    {
        long long day = 0, count = 0;
        std::string tier;
        // Typed binds, not rows: SQLite and PostgreSQL describe integers differently.
        soci::statement st =
            (s.prepare << "SELECT m.created_at / 86400000, COALESCE(u.tier, 'anonymous'), COUNT(*) FROM messages m "
                          "JOIN conversations c ON c.id = m.conversation_id LEFT JOIN users u ON u.id = c.user_id "
                          "WHERE m.role = 'user' AND m.created_at >= :from AND m.created_at < :to "
                          "GROUP BY m.created_at / 86400000, COALESCE(u.tier, 'anonymous') ORDER BY 1, 2",
             soci::use(from_ms, "from"), soci::use(to_ms, "to"), soci::into(day), soci::into(tier), soci::into(count));
        st.execute();
        while (st.fetch())
            out.per_day.push_back({day, tier, count});
    }
    s << std::string("SELECT COUNT(*) FROM messages a WHERE a.role = 'assistant' AND a.status = 'complete' AND ") +
             refusal + " AND a.created_at >= :from AND a.created_at < :to",
        soci::use(from_ms, "from"), soci::use(to_ms, "to"), soci::into(out.refused);
    s << std::string("SELECT COUNT(*) FROM messages a WHERE a.role = 'assistant' AND a.status = 'complete' AND NOT ") +
             refusal + " AND a.created_at >= :from AND a.created_at < :to",
        soci::use(from_ms, "from"), soci::use(to_ms, "to"), soci::into(out.answered);
    {
        std::string question;
        long long at = 0;
        soci::statement st =
            (s.prepare << std::string("SELECT q.content, q.created_at FROM messages a JOIN messages q ON ") +
                              question_of_answer + " WHERE a.role = 'assistant' AND a.status = 'complete' AND " +
                              refusal +
                              " AND a.created_at >= :from AND a.created_at < :to ORDER BY q.created_at DESC "
                              "LIMIT :limit",
             soci::use(from_ms, "from"), soci::use(to_ms, "to"), soci::use(limit, "limit"), soci::into(question),
             soci::into(at));
        st.execute();
        while (st.fetch())
            out.refused_questions.push_back({question, at});
    }
    {
        rated_answer r;
        soci::indicator sources_ind = soci::i_null, reason_ind = soci::i_null, comment_ind = soci::i_null;
        soci::statement st =
            (s.prepare << "SELECT q.content, a.content, a.sources, f.reason, f.comment, f.updated_at "
                          "FROM answer_feedback f JOIN messages a ON a.id = f.message_id || '-a' "
                          "JOIN messages q ON q.id = f.message_id || '-q' "
                          "WHERE f.rating = 'down' AND f.updated_at >= :from AND f.updated_at < :to "
                          "ORDER BY f.updated_at DESC LIMIT :limit",
             soci::use(from, "from"), soci::use(to, "to"), soci::use(limit, "limit"), soci::into(r.question),
             soci::into(r.answer), soci::into(r.sources_json, sources_ind), soci::into(r.reason, reason_ind),
             soci::into(r.comment, comment_ind), soci::into(r.rated_at));
        st.execute();
        while (st.fetch()) {
            auto row = r;
            if (sources_ind != soci::i_ok)
                row.sources_json.clear();
            if (reason_ind != soci::i_ok)
                row.reason.clear();
            if (comment_ind != soci::i_ok)
                row.comment.clear();
            out.thumbs_down.push_back(std::move(row));
        }
    }
    {
        std::string sources;
        soci::statement st = (s.prepare << std::string("SELECT a.sources FROM messages a WHERE a.role = 'assistant' "
                                                       "AND a.status = 'complete' AND NOT ") +
                                               refusal + " AND a.created_at >= :from AND a.created_at < :to",
                              soci::use(from_ms, "from"), soci::use(to_ms, "to"), soci::into(sources));
        st.execute();
        while (st.fetch())
            out.cited_sources.push_back(sources);
    }
    {
        long long seconds = 0;
        soci::statement st = (s.prepare << "SELECT finished_at - created_at FROM chat_streams WHERE finished_at IS NOT "
                                           "NULL AND created_at >= :from AND created_at < :to",
                              soci::use(from, "from"), soci::use(to, "to"), soci::into(seconds));
        st.execute();
        while (st.fetch())
            out.answer_seconds.push_back(seconds);
    }
    return out;
}

} // namespace chatkit::store::insights_repo
