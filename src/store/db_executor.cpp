#include "chatkit/store/db.hpp"

#include "connection_url.hpp"
#include "pg_notices.hpp"
#include "sqlite_files.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chatkit::store {

namespace asio = boost::asio;

namespace {

using clock = std::chrono::steady_clock;

struct job {
    std::function<void(soci::session&)> work;
    std::function<void(std::exception_ptr)> done;
    clock::time_point queued = clock::now();
};

// Jobs waiting for a connection. Bounded: when the database falls this far
// behind, a new job fails at once (503) instead of growing memory and
// latency without end.
class job_queue {
public:
    static constexpr std::size_t capacity = 10'000;

    enum class pushed { yes, full, closed };
    pushed push(job j)
    {
        {
            std::lock_guard lock(mutex_);
            if (closed_)
                return pushed::closed;
            if (jobs_.size() >= capacity)
                return pushed::full;
            jobs_.push_back(std::move(j));
        }
        ready_.notify_one();
        return pushed::yes;
    }
    // Empty when the queue is closed.
    std::optional<job> pop()
    {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return closed_ || !jobs_.empty(); });
        if (jobs_.empty())
            return std::nullopt;
        auto j = std::move(jobs_.front());
        jobs_.pop_front();
        return j;
    }
    void close()
    {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<job> jobs_;
    bool closed_ = false;
};

// When the pool may try to open a connection again. Shared by the pool: while
// the database is down the pool makes one attempt per backoff, not one per
// connection; once one attempt succeeds the database is back for all, so the
// others reopen at their next job instead of failing it until their own
// backoff ran out.
class reconnect_gate {
public:
    [[nodiscard]] bool open_now(clock::time_point now)
    {
        std::lock_guard lock(mutex_);
        return now >= next_attempt_;
    }
    void failed(clock::time_point now)
    {
        std::lock_guard lock(mutex_);
        backoff_ = std::min(std::max(backoff_ * 2, std::chrono::milliseconds(100)), std::chrono::milliseconds(5000));
        next_attempt_ = now + backoff_;
    }
    void succeeded()
    {
        std::lock_guard lock(mutex_);
        backoff_ = {};
        next_attempt_ = {};
    }

private:
    std::mutex mutex_;
    std::chrono::milliseconds backoff_{0};
    clock::time_point next_attempt_{};
};

// A worker's job as the watchdog sees it: since when it runs, on which
// socket. Under one lock, so the watchdog never shuts a socket number the
// worker has closed (and the kernel may have handed to another connection)
// and a job stays watched however many sockets it goes through.
class watch_slot {
public:
    void begin()
    {
        std::lock_guard lock(mutex_);
        started_ = clock::now();
    }
    void end()
    {
        std::lock_guard lock(mutex_);
        started_.reset();
    }
    // -1 before the connection's socket is closed.
    void socket(int fd)
    {
        std::lock_guard lock(mutex_);
        fd_ = fd;
        cut_ = false;
    }
    // Shuts the socket of a job running past `limit`, once per socket.
    [[nodiscard]] bool cut_if_late(clock::time_point now, clock::duration limit)
    {
        std::lock_guard lock(mutex_);
        if (!started_ || fd_ < 0 || cut_ || now - *started_ <= limit)
            return false;
        ::shutdown(fd_, SHUT_RDWR);
        cut_ = true;
        return true;
    }

private:
    std::mutex mutex_;
    std::optional<clock::time_point> started_; // empty: idle
    int fd_ = -1;
    bool cut_ = false;
};

// A connection that knows how to (re)open itself, no faster than the pool's
// backoff allows: while the database is down, jobs fail at once instead of
// each opening a connection of its own. It tells its worker's watch slot
// (none for run_blocking's connection, which serves start-up, migrations and
// admin commands outside the workers) which socket it is on.
class connection {
public:
    connection(const connection_url& url, const db_options& options, reconnect_gate& gate, watch_slot* watch)
        : url_(url), options_(options), gate_(gate), watch_(watch)
    {
    }

    soci::session& get()
    {
        if (session_ && !healthy())
            drop();
        if (!session_)
            open();
        return *session_;
    }
    void drop()
    {
        if (watch_)
            watch_->socket(-1);
        session_.reset();
    }
    // Forgets the session without closing it: the process exit releases
    // its file descriptors and mappings. Kept where a global can reach it,
    // never destroyed, so that a leak checker does not count it as lost.
    void abandon()
    {
        static auto* left_open = new std::vector<std::unique_ptr<soci::session>>();
        left_open->push_back(std::move(session_));
    }
    // Without a round trip: SOCI's is_connected() sends a ping query to
    // PostgreSQL, which would double the cost of every job (and hang on a
    // database that stopped answering, outside the watchdog's view).
    [[nodiscard]] bool healthy() const
    {
        if (!session_)
            return false;
        if (auto* pg = postgres())
            return PQstatus(pg) == CONNECTION_OK && !peer_closed(pg);
        return session_->is_connected();
    }
    // The PostgreSQL socket, for the watchdog; -1 for SQLite or when closed.
    [[nodiscard]] int socket() const
    {
        auto* pg = postgres();
        return pg ? PQsocket(pg) : -1;
    }

private:
    // An idle connection has nothing to read: readable or hung up means the
    // server closed or reset it while it idled (a restart, a network cut),
    // which libpq learns only when the next job fails on it. One poll per
    // job spares that job.
    static bool peer_closed(PGconn* pg)
    {
        pollfd p{PQsocket(pg), POLLIN | POLLRDHUP, 0};
        if (p.fd < 0 || ::poll(&p, 1, 0) <= 0)
            return false;
        if (p.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL))
            return true;
        // A NOTICE or a NOTIFY is fine; an error or EOF shows in the status.
        return PQconsumeInput(pg) == 0 || PQstatus(pg) != CONNECTION_OK;
    }

    void open()
    {
        auto now = clock::now();
        if (!gate_.open_now(now))
            throw unavailable("the database is unavailable (reconnecting)");
        try {
            if (url_.kind == dialect::sqlite) {
                session_ = std::make_unique<soci::session>(
                    soci::sqlite3, "db=" + url_.sqlite_path + " timeout=" + std::to_string(busy_seconds()));
                *session_ << "PRAGMA journal_mode=WAL";
                *session_ << "PRAGMA synchronous=NORMAL";
                *session_ << "PRAGMA foreign_keys=ON";
                *session_ << "PRAGMA busy_timeout=" + std::to_string(options_.statement_timeout.count());
            } else {
                session_ = std::make_unique<soci::session>(soci::postgresql, url_.postgresql_connect_string);
                // Watched from its first statement on: libpq's connect_timeout
                // bounds only the connect itself.
                if (watch_)
                    watch_->socket(socket());
                route_notices_to_log(postgres());
                *session_ << "SET statement_timeout = " + std::to_string(options_.statement_timeout.count());
            }
        } catch (const std::exception& e) {
            drop();
            gate_.failed(clock::now());
            throw unavailable(std::string("cannot open the database of DATABASE_URL: ") + e.what());
        }
        gate_.succeeded();
    }
    long busy_seconds() const
    {
        return std::max<long>(1, static_cast<long>(options_.statement_timeout.count() / 1000));
    }

    [[nodiscard]] PGconn* postgres() const
    {
        if (!session_ || url_.kind != dialect::postgresql)
            return nullptr;
        auto* backend = static_cast<soci::postgresql_session_backend*>(session_->get_backend());
        return backend ? backend->conn_ : nullptr;
    }

    connection_url url_;
    db_options options_;
    reconnect_gate& gate_;
    watch_slot* watch_;
    std::unique_ptr<soci::session> session_;
};

} // namespace

struct db_executor::impl {
    connection_url url;
    db_options options;
    reconnect_gate gate;
    job_queue readers;
    job_queue writers; // SQLite only; PostgreSQL sends everything to `readers`
    std::vector<std::thread> threads;
    std::unique_ptr<connection> blocking;             // run_blocking's connection: start-up, migrations, admin commands
    std::vector<std::unique_ptr<connection>> workers; // one per thread, closed after the threads end
    std::optional<sqlite_files> files;                // SQLite only
    std::atomic<std::size_t> busy{0};
    std::atomic<bool> closed{false};
    std::size_t connection_count = 0;
    std::deque<watch_slot> watches; // one per worker; a deque keeps their addresses
    std::thread watchdog;
    std::mutex watchdog_mutex;
    std::condition_variable watchdog_wake;
    bool stopping = false;

    // How long a job may wait and then run: the server-side statement
    // timeout, and a margin for the network.
    [[nodiscard]] std::chrono::milliseconds deadline() const
    {
        return options.statement_timeout + std::chrono::seconds(2);
    }

    void work(job_queue& queue, connection& conn, watch_slot& watch)
    {
        while (auto j = queue.pop()) {
            std::exception_ptr error;
            try {
                // Its caller has given up hope of a timely answer: fail it
                // rather than add its wait to every job behind it.
                if (clock::now() - j->queued > deadline())
                    throw unavailable("the database is too slow: a job waited past its deadline");
                // SQLite writes its -shm through a shared mapping at the start
                // of every transaction, reads included; once the file is
                // immutable the kernel answers that write with SIGBUS
                // (ext4_page_mkwrite), which would end the process. Hence a
                // look before each job, one access() call: a file made
                // immutable while a job runs still gets the signal.
                if (files && !files->writable(sqlite_files::shm))
                    throw unavailable("the SQLite -shm file is not writable");
                // Watched from here, reopening included.
                watch.begin();
                j->work(conn.get());
                watch.end();
            } catch (const unavailable&) {
                watch.end();
                error = std::current_exception();
            } catch (const soci::soci_error& e) {
                watch.end();
                if (e.get_error_category() == soci::soci_error::connection_error || !conn.healthy()) {
                    conn.drop();
                    error = std::make_exception_ptr(unavailable(e.what()));
                } else if (is_timeout(e)) {
                    error = std::make_exception_ptr(unavailable(e.what()));
                } else {
                    error = std::current_exception();
                }
            } catch (...) {
                watch.end();
                error = std::current_exception();
            }
            j->done(error);
        }
    }

    // A PostgreSQL that stops answering without closing (a network that
    // drops packets, a host that froze) would hold a worker in libpq for the
    // kernel's retransmission time, a quarter of an hour: past the deadline
    // the watchdog shuts the socket, the call fails, the connection is
    // reopened later.
    void watch()
    {
        std::unique_lock lock(watchdog_mutex);
        while (!watchdog_wake.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping; })) {
            auto now = clock::now();
            for (auto& w : watches)
                if (w.cut_if_late(now, deadline()))
                    spdlog::warn("database: a statement ran past its deadline; closing its connection");
        }
    }

    static bool is_timeout(const soci::soci_error& e)
    {
        if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e))
            // Cancelled (statement timeout), connection, insufficient
            // resources (disk full), read-only, shutting down.
            return pg->sqlstate() == "57014" || pg->sqlstate().starts_with("08") || pg->sqlstate().starts_with("53") ||
                   pg->sqlstate() == "25006" || pg->sqlstate().starts_with("57P");
        if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e))
            // Busy, locked, read-only, disk I/O error, disk full, cannot open.
            return lite->result() == 5 || lite->result() == 6 || lite->result() == 8 || lite->result() == 10 ||
                   lite->result() == 13 || lite->result() == 14;
        return false;
    }

    void start()
    {
        auto spawn = [this](job_queue& q) {
            auto& watch = watches.emplace_back();
            auto& conn = *workers.emplace_back(std::make_unique<connection>(url, options, gate, &watch));
            threads.emplace_back([this, &q, &conn, &watch] { work(q, conn, watch); });
            ++connection_count;
        };
        if (url.kind == dialect::sqlite) {
            for (unsigned i = 0; i < std::max(1u, options.readers); ++i)
                spawn(readers);
            spawn(writers);
        } else {
            for (unsigned i = 0; i < std::max(1u, options.pool); ++i)
                spawn(readers);
            watchdog = std::thread([this] { watch(); });
        }
    }
};

db_executor::db_executor(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

std::unique_ptr<db_executor> db_executor::open(const db_options& options)
{
    auto i = std::make_unique<impl>();
    i->url = parse_connection_url(options.url, options.connect_timeout);
    i->options = options;
    if (i->url.kind == dialect::sqlite) {
        auto parent = std::filesystem::path(i->url.sqlite_path).parent_path();
        if (!parent.empty())
            std::filesystem::create_directories(parent);
        i->files.emplace(i->url.sqlite_path);
    }
    i->blocking = std::make_unique<connection>(i->url, options, i->gate, nullptr);
    static_cast<void>(i->blocking->get()); // fail now, with one clear line, if it cannot be opened
    i->start();
    return std::unique_ptr<db_executor>(new db_executor(std::move(i)));
}

db_executor::~db_executor()
{
    close();
}

void db_executor::close()
{
    if (impl_->closed.exchange(true))
        return;
    impl_->readers.close();
    impl_->writers.close();
    // The watchdog outlives the workers: a last job (a final journal flush, a
    // retention batch) stuck on a database that stopped answering would
    // otherwise hold the exit forever, since the kernel acknowledges what a
    // frozen server never reads and no TCP timeout fires.
    for (auto& t : impl_->threads)
        t.join();
    // Closing the last SQLite connection checkpoints the WAL and writes the
    // -shm through its shared mapping: on an immutable -shm, SIGBUS. Left
    // open, the exit releases them, and the next open recovers the WAL
    // (every commit is in it already).
    bool leave_open = impl_->files && !impl_->files->writable(sqlite_files::shm);
    if (leave_open && spdlog::default_logger_raw()) // the destructor may run after logging ended
        spdlog::warn("database: {}-shm is not writable at shutdown: the SQLite connections are left to the process "
                     "exit; the next start recovers the WAL",
                     impl_->url.sqlite_path);
    for (auto& conn : impl_->workers)
        leave_open ? conn->abandon() : conn->drop();
    leave_open ? impl_->blocking->abandon() : impl_->blocking->drop();
    {
        std::lock_guard lock(impl_->watchdog_mutex);
        impl_->stopping = true;
    }
    impl_->watchdog_wake.notify_all();
    if (impl_->watchdog.joinable())
        impl_->watchdog.join();
}

dialect db_executor::dialect() const
{
    return impl_->url.kind;
}

std::size_t db_executor::busy() const
{
    return impl_->busy.load(std::memory_order_relaxed);
}

std::size_t db_executor::connections() const
{
    return impl_->connection_count;
}

void db_executor::run_blocking(const std::function<void(soci::session&)>& job)
{
    job(impl_->blocking->get());
}

asio::awaitable<void> db_executor::submit(bool write, std::function<void(soci::session&)> work)
{
    auto& queue = write && impl_->url.kind == dialect::sqlite ? impl_->writers : impl_->readers;
    auto* busy = &impl_->busy;
    co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr)>(
        [&queue, busy, &work](auto handler) {
            auto executor = asio::get_associated_executor(handler);
            // Keeps the awaiting io_context alive while the job runs elsewhere.
            auto guard = asio::make_work_guard(executor);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            busy->fetch_add(1, std::memory_order_relaxed);
            auto done = [shared, guard, busy](std::exception_ptr error) mutable {
                busy->fetch_sub(1, std::memory_order_relaxed);
                asio::post(guard.get_executor(), [shared, error]() mutable { std::move (*shared)(error); });
                guard.reset();
            };
            auto pushed = queue.push({std::move(work), done});
            if (pushed == job_queue::pushed::full)
                done(std::make_exception_ptr(unavailable("the database is overloaded: too many jobs waiting")));
            else if (pushed == job_queue::pushed::closed)
                done(std::make_exception_ptr(unavailable("the database is closed: the server is stopping")));
        },
        asio::use_awaitable);
}

asio::awaitable<bool> db_executor::database_responds()
{
    // Answering is not enough: a database that refuses every write (a
    // PostgreSQL in read-only mode or a hot standby, an immutable SQLite
    // file) answers 503 to every request that writes, and a load balancer
    // must stop sending it traffic.
    auto* files = impl_->files ? &*impl_->files : nullptr;
    try {
        co_return co_await read([&](soci::session& s) {
            if (files) {
                int one = 0;
                s << "SELECT 1", soci::into(one);
                return files->all_writable();
            }
            std::string read_only;
            s << "SHOW transaction_read_only", soci::into(read_only);
            return read_only == "off";
        });
    } catch (const std::exception&) {
        co_return false;
    }
}

} // namespace chatkit::store
