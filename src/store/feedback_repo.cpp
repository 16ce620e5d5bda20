#include "chatkit/store/feedback_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::feedback_repo {

void upsert(soci::session& s, const rating_row& row, long long now)
{
    auto use_text = [](const std::optional<std::string>& v, soci::indicator& ind) -> const std::string& {
        static const std::string none;
        ind = v ? soci::i_ok : soci::i_null;
        return v ? *v : none;
    };
    soci::indicator reason_ind, comment_ind, user_ind, session_ind;
    const auto& reason = use_text(row.reason, reason_ind);
    const auto& comment = use_text(row.comment, comment_ind);
    const auto& user = use_text(row.user_id, user_ind);
    const auto& session = use_text(row.session_id, session_ind);
    // Both dialects have ON CONFLICT ... DO UPDATE (SQLite since 3.24).
    s << "INSERT INTO answer_feedback (message_id, rating, reason, comment, user_id, session_id, created_at, "
         "updated_at) VALUES (:id, :rating, :reason, :comment, :user, :session, :created, :updated) "
         "ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, reason = excluded.reason, "
         "comment = excluded.comment, updated_at = excluded.updated_at",
        soci::use(row.message_id, "id"), soci::use(row.rating, "rating"), soci::use(reason, reason_ind, "reason"),
        soci::use(comment, comment_ind, "comment"), soci::use(user, user_ind, "user"),
        soci::use(session, session_ind, "session"), soci::use(now, "created"), soci::use(now, "updated");
}

} // namespace chatkit::store::feedback_repo
