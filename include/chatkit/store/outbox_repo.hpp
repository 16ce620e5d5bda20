#pragma once

#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

// The durable mail outbox. Rows are written in the transaction that creates
// what they announce; the sender claims due rows for a while (so two
// instances never send the same row at once), then marks them sent (wiping
// the sealed body) or schedules a retry.
namespace chatkit::store::outbox_repo {

struct mail_row {
    std::string id;
    std::string recipient;
    std::string subject;
    std::string sealed_body;
    int attempts = 0;
};

void insert(soci::session& s, const mail_row& row, long long now);
std::vector<mail_row> claim_due(soci::session& s, long long now, long long claim_until, int limit);
void mark_sent(soci::session& s, const std::string& id, long long now);
void mark_retry(soci::session& s, const std::string& id, long long next_attempt_at, const std::string& error);
void mark_failed(soci::session& s, const std::string& id, long long now, const std::string& error);
// Rows not yet sent nor given up on, and the earliest time one of them can
// be claimed (its next attempt and any claim both over); none: nothing left.
struct outbox_state {
    long long pending = 0;
    std::optional<long long> next_due;
};
outbox_state state(soci::session& s);

} // namespace chatkit::store::outbox_repo
