#include "chatkit/store/session_notices.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/identity_repo.hpp"

#include "pg_notices.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <memory>

namespace chatkit::store {

namespace {

using clock = std::chrono::steady_clock;
constexpr auto poll_step = std::chrono::milliseconds(50);
// The ping is a notice to itself: its return proves that notices arrive
// (a pooler in transaction mode answers queries but delivers none).
constexpr auto ping_every = std::chrono::milliseconds(500);
constexpr auto ping_deadline = std::chrono::milliseconds(1000);
constexpr auto max_pause = std::chrono::seconds(10);

struct closer {
    void operator()(PGconn* c) const { PQfinish(c); }
};

// Sends a command without waiting for it; its result is collected by
// collect() as the connection's input arrives.
bool send(PGconn* c, const std::string& sql)
{
    return PQsendQuery(c, sql.c_str()) == 1 && PQflush(c) != -1;
}

// Reads what arrived; `pending` turns false once the command sent last has
// completed. False when the connection broke or a command failed.
bool collect(PGconn* c, bool& pending)
{
    if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK)
        return false;
    bool ok = true;
    while (!PQisBusy(c)) {
        PGresult* r = PQgetResult(c);
        if (!r) {
            pending = false;
            break;
        }
        ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    return ok && PQflush(c) != -1;
}

} // namespace

session_notices::session_notices(std::string conninfo, std::function<void(bool)> state,
                                 std::function<void(std::string_view)> notice)
    : conninfo_(std::move(conninfo)), state_(std::move(state)), notice_(std::move(notice)), thread_([this] { run(); })
{
}

session_notices::~session_notices()
{
    stop_ = true;
    thread_.join();
}

void session_notices::run()
{
    auto pause = std::chrono::milliseconds(500);
    while (!stop_) {
        if (listen_once())
            pause = std::chrono::milliseconds(500);
        for (auto waited = std::chrono::milliseconds(0); waited < pause && !stop_; waited += poll_step)
            std::this_thread::sleep_for(poll_step);
        pause = std::min<std::chrono::milliseconds>(pause * 2, max_pause);
    }
}

bool session_notices::listen_once()
{
    if (stop_)
        return false;
    // Named, so an operator (or a test) can tell it from the pool's connections.
    std::unique_ptr<PGconn, closer> conn(
        PQconnectdb((conninfo_ + " application_name=chatkit_session_notices").c_str()));
    PGconn* c = conn.get();
    route_notices_to_log(c);
    if (PQstatus(c) != CONNECTION_OK || PQsetnonblocking(c, 1) != 0 ||
        !send(c, std::string("LISTEN ") + identity_repo::session_channel)) {
        spdlog::warn("session notices: cannot listen on PostgreSQL; session checks read the database");
        return false;
    }
    const auto channel = std::string(identity_repo::session_channel);
    bool pending = true; // the LISTEN
    bool listening = false;
    std::string ping; // the nonce on its way, empty when none is
    clock::time_point ping_sent{};
    while (!stop_) {
        pollfd fd{PQsocket(c), POLLIN, 0};
        if (::poll(&fd, 1, static_cast<int>(poll_step.count())) < 0 && errno != EINTR)
            break;
        if (!collect(c, pending))
            break;
        while (PGnotify* n = PQnotifies(c)) {
            std::string_view payload(n->extra);
            if (!ping.empty() && payload == ping) {
                ping.clear();
                // The first ping back proves LISTEN took effect: trusted from now.
                if (!listening) {
                    listening = true;
                    state_(true);
                }
            } else {
                notice_(payload);
            }
            PQfreemem(n);
        }
        auto now = clock::now();
        if (!ping.empty() && now - ping_sent > ping_deadline) {
            spdlog::warn("session notices: a notice to itself did not come back in time; session checks read the "
                         "database until it listens again");
            break;
        }
        if (ping.empty() && !pending && now - ping_sent >= ping_every) {
            ping = std::string(identity_repo::ping_prefix) + security::new_uuid();
            if (!send(c, "NOTIFY " + channel + ", '" + ping + "'"))
                break;
            pending = true;
            ping_sent = now;
        }
    }
    if (listening)
        state_(false);
    return listening;
}

} // namespace chatkit::store
