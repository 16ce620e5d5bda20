#include "chatkit/store/retention_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::retention_repo {

namespace {

int affected(soci::statement& st)
{
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

// DELETE FROM `table` WHERE `key` IN (the first `batch` keys `where` picks):
// a bounded delete that reads the same on SQLite and PostgreSQL.
int delete_batch(soci::session& s, const std::string& table, const std::string& key, const std::string& where,
                 long long cutoff, int batch)
{
    soci::statement st = (s.prepare << "DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + key + " FROM " +
                                           table + " WHERE " + where + " LIMIT :batch)",
                          soci::use(cutoff, "cutoff"), soci::use(batch, "batch"));
    return affected(st);
}

} // namespace

bool take_lease(soci::session& s, const std::string& name, const std::string& holder, long long now, long long until)
{
    s << "INSERT INTO leases (name, holder, expires_at) VALUES (:name, '', 0) ON CONFLICT (name) DO NOTHING",
        soci::use(name, "name");
    soci::statement st = (s.prepare << "UPDATE leases SET holder = :holder, expires_at = :until "
                                       "WHERE name = :name AND (holder = :holder2 OR expires_at < :now)",
                          soci::use(holder, "holder"), soci::use(until, "until"), soci::use(name, "name"),
                          soci::use(holder, "holder2"), soci::use(now, "now"));
    return affected(st) == 1;
}

int prune_finished_streams(soci::session& s, long long finished_before, int batch)
{
    // Frames first: stream_chunks rows hang off chat_streams.
    soci::statement events =
        (s.prepare << "DELETE FROM stream_chunks WHERE message_id IN (SELECT message_id FROM chat_streams "
                      "WHERE finished_at IS NOT NULL AND finished_at < :cutoff LIMIT :batch)",
         soci::use(finished_before, "cutoff"), soci::use(batch, "batch"));
    events.execute(true);
    return delete_batch(s, "chat_streams", "message_id", "finished_at IS NOT NULL AND finished_at < :cutoff",
                        finished_before, batch);
}

int prune_anonymous_conversations(soci::session& s, long long idle_since, int batch)
{
    // An anonymous conversation nobody has added to since the cut-off. Its
    // time and its messages' are milliseconds (record_turn): compared with
    // seconds, no conversation was ever old enough.
    long long cutoff_ms = idle_since * 1000;
    std::string idle = "user_id IS NULL AND created_at < :cutoff AND NOT EXISTS (SELECT 1 FROM messages m "
                       "WHERE m.conversation_id = conversations.id AND m.created_at >= :cutoff_ms)";
    // Its read-only link goes with it (share_repo::find_shared already
    // refuses it).
    soci::statement shares =
        (s.prepare << "DELETE FROM conversation_shares WHERE conversation_id IN (SELECT id FROM conversations WHERE " +
                          idle + " LIMIT :batch)",
         soci::use(cutoff_ms, "cutoff"), soci::use(cutoff_ms, "cutoff_ms"), soci::use(batch, "batch"));
    shares.execute(true);
    soci::statement messages =
        (s.prepare << "DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE " + idle +
                          " LIMIT :batch)",
         soci::use(cutoff_ms, "cutoff"), soci::use(cutoff_ms, "cutoff_ms"), soci::use(batch, "batch"));
    messages.execute(true);
    soci::statement st = (s.prepare << "DELETE FROM conversations WHERE id IN (SELECT id FROM conversations WHERE " +
                                           idle + " LIMIT :batch)",
                          soci::use(cutoff_ms, "cutoff"), soci::use(cutoff_ms, "cutoff_ms"), soci::use(batch, "batch"));
    return affected(st);
}

int prune_sessions(soci::session& s, long long ended_before, int batch)
{
    // Ended: revoked, or past its absolute lifetime, whichever came first.
    return delete_batch(s, "sessions", "id",
                        "(CASE WHEN revoked_at IS NOT NULL AND revoked_at < expires_at THEN revoked_at "
                        "ELSE expires_at END) < :cutoff",
                        ended_before, batch);
}

int prune_verification_tokens(soci::session& s, long long ended_before, int batch)
{
    return delete_batch(s, "verification_tokens", "id",
                        "(CASE WHEN used_at IS NOT NULL AND used_at < expires_at THEN used_at ELSE expires_at END) "
                        "< :cutoff",
                        ended_before, batch);
}

int prune_unverified_users(soci::session& s, long long ended_before, int batch)
{
    // Signed up, never verified, and the last sign-in link is gone: an
    // address (personal data) that nobody holds an account for. A tier set by
    // an operator keeps the row.
    return delete_batch(s, "users", "id",
                        "email_verified = 0 AND tier = 'lightweight' AND updated_at < :cutoff AND NOT EXISTS "
                        "(SELECT 1 FROM verification_tokens v WHERE v.email = users.email)",
                        ended_before, batch);
}

int prune_outbox(soci::session& s, long long done_before, int batch)
{
    // Sent or given up on (the body was wiped either way); pending rows stay.
    return delete_batch(s, "mail_outbox", "id", "COALESCE(sent_at, failed_at) < :cutoff", done_before, batch);
}

int prune_analytics(soci::session& s, long long logged_before, int batch)
{
    return delete_batch(s, "analytics_events", "id", "created_at < :cutoff", logged_before, batch);
}

int prune_share_links(soci::session& s, long long made_before, int batch)
{
    return delete_batch(s, "conversation_shares", "conversation_id", "created_at < :cutoff", made_before, batch);
}

int prune_feedback(soci::session& s, long long rated_before, int batch)
{
    // The answer is a conversation's message "<message id>-a": gone with its
    // conversation, and the rating with it.
    return delete_batch(s, "answer_feedback", "message_id",
                        "updated_at < :cutoff AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = "
                        "answer_feedback.message_id || '-a')",
                        rated_before, batch);
}

int prune_rate_counters(soci::session& s, long long now, int batch)
{
    // A window goes once another of its length has passed since it ended;
    // the unit is the bucket's suffix (rate_limiter). Keeping every window
    // for the longest length (a day) kept one row per client per minute for
    // two days.
    const std::string ended = "window_start < CAST(:now AS BIGINT) - CASE WHEN bucket LIKE '%/second' THEN 2 "
                              "WHEN bucket LIKE '%/minute' THEN 120 WHEN bucket LIKE '%/hour' THEN 7200 "
                              "ELSE 172800 END";
    // No single-column key: delete by the bucket and window pair.
    soci::statement st = (s.prepare << "DELETE FROM rate_limit_counters WHERE (bucket, window_start) IN (SELECT "
                                       "bucket, window_start FROM rate_limit_counters WHERE " +
                                           ended + " LIMIT :batch)",
                          soci::use(now, "now"), soci::use(batch, "batch"));
    return affected(st);
}

} // namespace chatkit::store::retention_repo
