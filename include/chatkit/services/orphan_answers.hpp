#pragma once

#include "chatkit/services/periodic_flush.hpp"

#include <chrono>
#include <string>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

// Answers whose instance died mid-way (a crash, kill -9, a lost machine).
// Every instance keeps a lease ("instance:<id>") alive here; when one lapses,
// any other instance ends that instance's unfinished answers: an error event
// closes each stream (a resume then ends at once instead of waiting out the
// idle timeout, and a cancel finds it finished), and what was said joins the
// conversation as a failed turn.
class orphan_answers final : public periodic_flush {
public:
    // `lease`: how long an instance counts as alive after its last renewal
    // (renewed every third of it).
    orphan_answers(store::db_executor& db, boost::asio::any_io_executor executor, std::string instance_id,
                   std::chrono::seconds lease = std::chrono::seconds(30));

private:
    boost::asio::awaitable<void> flush() override;

    store::db_executor& db_;
    std::string instance_id_;
    std::chrono::seconds lease_;
};

} // namespace chatkit::services
