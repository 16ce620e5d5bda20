#include "chatkit/store/session_notices.hpp"

#include "chatkit/store/identity_repo.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

namespace chatkit::store {

namespace {

using clock = std::chrono::steady_clock;
constexpr auto poll_step = std::chrono::milliseconds(250);
constexpr auto ping_every = std::chrono::seconds(1);
constexpr auto ping_deadline = std::chrono::seconds(2);
constexpr auto max_pause = std::chrono::seconds(10);

struct closer {
    void operator()(PGconn* c) const { PQfinish(c); }
};

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
    // Named, so an operator (or a test) can tell it from the pool's connections.
    std::unique_ptr<PGconn, closer> conn(PQconnectdb((conninfo_ + " application_name=chatkit_session_notices").c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        spdlog::warn("session notices: cannot connect to PostgreSQL; session checks read the database");
        return false;
    }
    std::unique_ptr<PGresult, decltype(&PQclear)> listen(
        PQexec(conn.get(), (std::string("LISTEN ") + identity_repo::session_channel).c_str()), &PQclear);
    if (PQresultStatus(listen.get()) != PGRES_COMMAND_OK)
        return false;
    PQsetnonblocking(conn.get(), 1);
    state_(true);
    auto last_ping = clock::now();
    bool awaiting_pong = false;
    while (!stop_) {
        pollfd fd{PQsocket(conn.get()), POLLIN, 0};
        if (::poll(&fd, 1, static_cast<int>(poll_step.count())) < 0 && errno != EINTR)
            break;
        if (!PQconsumeInput(conn.get()) || PQstatus(conn.get()) != CONNECTION_OK)
            break;
        while (PGnotify* n = PQnotifies(conn.get())) {
            notice_(n->extra);
            PQfreemem(n);
        }
        if (awaiting_pong && !PQisBusy(conn.get())) {
            while (PGresult* r = PQgetResult(conn.get()))
                PQclear(r);
            awaiting_pong = false;
        }
        auto now = clock::now();
        if (awaiting_pong && now - last_ping > ping_deadline) {
            spdlog::warn("session notices: PostgreSQL stopped answering; session checks read the database");
            break;
        }
        if (!awaiting_pong && now - last_ping >= ping_every) {
            if (!PQsendQuery(conn.get(), "SELECT 1"))
                break;
            PQflush(conn.get());
            awaiting_pong = true;
            last_ping = now;
        }
    }
    state_(false);
    return true;
}

} // namespace chatkit::store
