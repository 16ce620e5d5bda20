#pragma once

#include <string>

namespace soci {
class session;
}

// Deleting what the server keeps no longer (docs/operations.md,
// "Retention"), a batch at a time so no statement holds locks for long, and
// the lease that lets one instance of a deployment do it.
namespace chatkit::store::retention_repo {

// Takes or renews the named lease for `holder` until `until` (Unix seconds);
// false when another holder has it and it has not run out.
bool take_lease(soci::session& s, const std::string& name, const std::string& holder, long long now, long long until);

// Each deletes at most `batch` rows (with what hangs off them) and returns
// how many it deleted. Cut-offs are Unix seconds.
int prune_finished_streams(soci::session& s, long long finished_before, int batch);
int prune_anonymous_conversations(soci::session& s, long long idle_since, int batch);
int prune_sessions(soci::session& s, long long ended_before, int batch);
int prune_verification_tokens(soci::session& s, long long ended_before, int batch);
int prune_unverified_users(soci::session& s, long long ended_before, int batch);
int prune_outbox(soci::session& s, long long done_before, int batch);
int prune_analytics(soci::session& s, long long logged_before, int batch);
// Read-only links made before `made_before` (SHARE_LINK_LIFETIME ago): they
// no longer open.
int prune_share_links(soci::session& s, long long made_before, int batch);
// Ratings whose answer's conversation is gone (rated before `rated_before`:
// a rating may arrive before its answer's turn is stored).
int prune_feedback(soci::session& s, long long rated_before, int batch);
// Each window once as long again as its length has passed since it ended.
int prune_rate_counters(soci::session& s, long long now, int batch);

} // namespace chatkit::store::retention_repo
