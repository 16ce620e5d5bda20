#include "chatkit/store/outbox_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::outbox_repo {

void insert(soci::session& s, const mail_row& row, long long now)
{
    s << "INSERT INTO mail_outbox (id, recipient, subject, sealed_body, created_at, next_attempt_at) "
         "VALUES (:id, :to, :subject, :body, :created, :next)",
        soci::use(row.id, "id"), soci::use(row.recipient, "to"), soci::use(row.subject, "subject"),
        soci::use(row.sealed_body, "body"), soci::use(now, "created"), soci::use(now, "next");
}

std::vector<mail_row> claim_due(soci::session& s, long long now, long long claim_until, int limit)
{
    soci::transaction tx(s);
    std::vector<mail_row> due;
    soci::rowset<soci::row> rows =
        (s.prepare
             << "SELECT id, recipient, subject, sealed_body, attempts FROM mail_outbox "
                "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= :now AND claimed_until <= :now2 "
                "ORDER BY next_attempt_at LIMIT :limit",
         soci::use(now, "now"), soci::use(now, "now2"), soci::use(limit, "limit"));
    for (const auto& r : rows)
        due.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
                       r.get<int>(4)});
    std::vector<mail_row> claimed;
    for (auto& m : due) {
        // Conditional: of two instances claiming one row, one wins.
        soci::statement st = (s.prepare << "UPDATE mail_outbox SET claimed_until = :until "
                                           "WHERE id = :id AND claimed_until <= :now AND sent_at IS NULL",
                              soci::use(claim_until, "until"), soci::use(m.id, "id"), soci::use(now, "now"));
        st.execute(true);
        if (st.get_affected_rows() == 1)
            claimed.push_back(std::move(m));
    }
    tx.commit();
    return claimed;
}

void mark_sent(soci::session& s, const std::string& id, long long now)
{
    s << "UPDATE mail_outbox SET sent_at = :now, sealed_body = NULL, claimed_until = 0 WHERE id = :id",
        soci::use(now, "now"), soci::use(id, "id");
}

void mark_retry(soci::session& s, const std::string& id, long long next_attempt_at, const std::string& error)
{
    s << "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = :next, claimed_until = 0, "
         "last_error = :error WHERE id = :id",
        soci::use(next_attempt_at, "next"), soci::use(error, "error"), soci::use(id, "id");
}

void mark_failed(soci::session& s, const std::string& id, long long now, const std::string& error)
{
    s << "UPDATE mail_outbox SET attempts = attempts + 1, failed_at = :now, sealed_body = NULL, claimed_until = 0, "
         "last_error = :error WHERE id = :id",
        soci::use(now, "now"), soci::use(error, "error"), soci::use(id, "id");
}

outbox_state state(soci::session& s)
{
    outbox_state out;
    long long due = 0;
    soci::indicator due_ind = soci::i_null;
    // CASE rather than max()/GREATEST(): the same text on both dialects.
    s << "SELECT COUNT(*), MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) "
         "FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        soci::into(out.pending), soci::into(due, due_ind);
    if (due_ind == soci::i_ok)
        out.next_due = due;
    return out;
}

} // namespace chatkit::store::outbox_repo
