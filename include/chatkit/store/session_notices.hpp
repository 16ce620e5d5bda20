#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace chatkit::store {

// One PostgreSQL connection that LISTENs on identity_repo::session_channel,
// on a thread of its own. `state(true)` once it listens; `state(false)` when
// it cannot vouch for having every notice: the connection broke, or a ping
// went unanswered for `ping_deadline` (a path that silently drops packets).
// It reconnects with a growing pause.
class session_notices {
public:
    session_notices(std::string conninfo, std::function<void(bool listening)> state,
                    std::function<void(std::string_view payload)> notice);
    ~session_notices();
    session_notices(const session_notices&) = delete;
    session_notices& operator=(const session_notices&) = delete;

private:
    void run();
    bool listen_once(); // true if it was listening before it stopped

    std::string conninfo_;
    std::function<void(bool)> state_;
    std::function<void(std::string_view)> notice_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace chatkit::store
