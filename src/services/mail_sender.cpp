#include "chatkit/services/mail_sender.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/outbox_repo.hpp"
#include "chatkit/util/offload.hpp"
#include "chatkit/util/time.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chatkit::services {

namespace asio = boost::asio;

namespace {

// A claim outlives any single SMTP attempt (10 s connect + 30 s transfer), so
// a row is never sent by two instances at once; a row whose sender crashed
// mid-attempt is free again after this long.
constexpr long long claim_seconds = 60;

// Between passes the loop sleeps until the earliest row can be claimed or
// notify(), but no longer than this: a row queued by another instance that
// stopped before sending it is found by the next pass. Polling every second
// instead was most of what an idle server did (a write transaction each).
constexpr std::chrono::seconds longest_sleep{60};

long long backoff_seconds(int attempts)
{
    return std::min(3600LL, 1LL << std::min(attempts, 12));
}

} // namespace

mail_sender::mail_sender(store::db_executor& db, const security::keyring& keys, std::optional<smtp_settings> smtp,
                         asio::any_io_executor executor)
    : db_(db), keys_(keys), smtp_(std::move(smtp)), executor_(executor), wake_(executor)
{
}

void mail_sender::start()
{
    asio::co_spawn(executor_, loop(), asio::detached);
}

void mail_sender::notify()
{
    notified_ = true;
    asio::post(executor_, [this] { wake_.cancel(); });
}

void mail_sender::stop()
{
    stopped_ = true;
    notify();
}

asio::awaitable<void> mail_sender::loop()
{
    while (!stopped_) {
        std::chrono::seconds sleep{1}; // after a failure: retry soon, as before
        notified_ = false;
        try {
            co_await deliver_due();
            auto state = co_await db_.read([](soci::session& s) { return store::outbox_repo::state(s); });
            pending_ = state.pending;
            sleep = longest_sleep;
            if (state.next_due)
                sleep = std::clamp(std::chrono::seconds(*state.next_due - util::now_seconds()), std::chrono::seconds(1),
                                   longest_sleep);
        } catch (const store::unavailable&) {
            spdlog::warn("mail: the database is unavailable; will retry");
        } catch (const std::exception& e) {
            spdlog::error("mail: delivery loop failed: {}", e.what());
        }
        if (stopped_)
            break;
        if (notified_)
            continue;
        wake_.expires_after(sleep);
        co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    smtp_pool_.join();
}

asio::awaitable<void> mail_sender::deliver_due()
{
    for (;;) {
        auto now = util::now_seconds();
        // One row at a time: its claim outlives its whole send (SMTP gives up
        // after 40 s), so no other instance can take it meanwhile. A batch
        // claimed at once would expire while its last rows wait their turn.
        auto batch = co_await db_.write(
            [&](soci::session& s) { return store::outbox_repo::claim_due(s, now, now + claim_seconds, 1); });
        if (batch.empty())
            co_return;
        for (auto& row : batch) {
            auto body = keys_.open(row.sealed_body);
            std::string error;
            if (!body) {
                error = "the sealed body cannot be opened (SECRET_KEY changed?)";
            } else if (!smtp_) {
                // Development only: configuration refuses production without SMTP.
                spdlog::info("dev mail to {} | {} |\n{}", row.recipient, row.subject, *body);
            } else {
                // A named awaitable: GCC 12 destroys a lambda temporary with
                // non-trivial captures twice when it sits inside co_await.
                auto delivery =
                    util::offload(smtp_pool_, [settings = *smtp_,
                                               mail = outgoing_mail{row.recipient, row.subject, std::move(*body)}] {
                        return send_mail(settings, mail);
                    });
                error = co_await std::move(delivery);
            }
            auto id = row.id;
            auto done = util::now_seconds();
            if (error.empty()) {
                co_await db_.write([&](soci::session& s) { store::outbox_repo::mark_sent(s, id, done); });
            } else if (row.attempts + 1 >= max_attempts || !body) {
                spdlog::error("mail: giving up on message {} after {} attempts: {}", id, row.attempts + 1, error);
                co_await db_.write([&](soci::session& s) { store::outbox_repo::mark_failed(s, id, done, error); });
            } else {
                auto next = done + backoff_seconds(row.attempts);
                spdlog::warn("mail: delivery of message {} failed ({}); retrying in {} s", id, error, next - done);
                co_await db_.write([&](soci::session& s) { store::outbox_repo::mark_retry(s, id, next, error); });
            }
        }
    }
}

} // namespace chatkit::services
