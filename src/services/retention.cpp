#include "chatkit/services/retention.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/retention_repo.hpp"
#include "chatkit/util/time.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace chatkit::services {

namespace repo = store::retention_repo;

namespace {

constexpr int batch = 500;
// Per kind and pass: a backlog shrinks over a few passes instead of one long one.
constexpr int max_batches = 40;

} // namespace

retention::retention(store::db_executor& db, boost::asio::any_io_executor executor, retention_settings settings)
    : periodic_flush(executor, settings.interval), db_(db), settings_(settings), holder_(security::new_uuid())
{
}

boost::asio::awaitable<void> retention::flush()
{
    auto now = util::now_seconds();
    auto interval = std::chrono::duration_cast<std::chrono::seconds>(settings_.interval).count();
    auto lease_until = now + std::max<long long>(30, 3 * interval);
    try {
        bool mine = co_await db_.write(
            [&](soci::session& s) { return repo::take_lease(s, "retention", holder_, now, lease_until); });
        if (!mine)
            co_return;
        struct kind {
            const char* name;
            int (*prune)(soci::session&, long long, int);
            long long cutoff;
        };
        const kind kinds[] = {
            {"finished answer journals", repo::prune_finished_streams, now - settings_.finished_streams.count()},
            {"anonymous conversations", repo::prune_anonymous_conversations, now - settings_.anonymous_chats.count()},
            {"ended sessions", repo::prune_sessions, now - settings_.ended_sessions.count()},
            {"used or expired sign-in links", repo::prune_verification_tokens, now - settings_.ended_sessions.count()},
            {"never verified sign-ups", repo::prune_unverified_users, now - settings_.ended_sessions.count()},
            {"sent mail", repo::prune_outbox, now - settings_.sent_mail.count()},
            {"analytics events", repo::prune_analytics, now - settings_.analytics.count()},
            {"expired read-only links", repo::prune_share_links, now - settings_.share_links.count()},
            {"ratings of answers that are gone", repo::prune_feedback, now - 3600},
            // Each window by its own length (the repository reads it).
            {"rate-limit windows", repo::prune_rate_counters, now},
        };
        for (const auto& k : kinds) {
            int total = 0;
            for (int i = 0; i < max_batches; ++i) {
                int deleted = co_await db_.write([&](soci::session& s) { return k.prune(s, k.cutoff, batch); });
                total += deleted;
                if (deleted < batch)
                    break;
            }
            if (total > 0)
                spdlog::info("retention: deleted {} {}", total, k.name);
        }
    } catch (const std::exception& e) {
        spdlog::warn("retention: pass failed, retrying next time: {}", e.what());
    }
}

} // namespace chatkit::services
