#pragma once

#include "chatkit/services/periodic_flush.hpp"

#include <chrono>
#include <string>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

// How long the server keeps what it no longer needs (docs/operations.md).
struct retention_settings {
    std::chrono::seconds anonymous_chats{30 * 24 * 3600}; // since the conversation's last message
    std::chrono::seconds finished_streams{3600};          // answer journals, since the answer ended
    std::chrono::seconds ended_sessions{7 * 24 * 3600};   // sessions and verification tokens, since they ended
    std::chrono::seconds sent_mail{7 * 24 * 3600};        // outbox rows, since sent or given up on
    std::chrono::seconds analytics{90 * 24 * 3600};
    std::chrono::seconds share_links{30 * 24 * 3600}; // read-only links, since they were made
    std::chrono::milliseconds interval{60'000};       // how often a pass runs
};

// Deletes what retention_settings says is old, in batches of 500 rows (each
// its own short transaction), off the request path on the background
// executor. One instance of a deployment prunes at a time: each pass first
// takes or renews the "retention" lease in the database.
class retention final : public periodic_flush {
public:
    retention(store::db_executor& db, boost::asio::any_io_executor executor, retention_settings settings);

private:
    boost::asio::awaitable<void> flush() override;

    store::db_executor& db_;
    retention_settings settings_;
    std::string holder_; // this instance, for the lease
};

} // namespace chatkit::services
