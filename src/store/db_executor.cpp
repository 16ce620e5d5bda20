#include "chatkit/store/db.hpp"

#include "connection_url.hpp"

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
#include <mutex>
#include <thread>

namespace chatkit::store {

namespace asio = boost::asio;

namespace {

struct job {
    std::function<void(soci::session&)> work;
    std::function<void(std::exception_ptr)> done;
};

class job_queue {
public:
    void push(job j)
    {
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(j));
        }
        ready_.notify_one();
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

// A connection that knows how to (re)open itself.
class connection {
public:
    connection(const connection_url& url, const db_options& options) : url_(url), options_(options) {}

    soci::session& get()
    {
        if (session_ && !session_->is_connected())
            session_.reset();
        if (!session_)
            open();
        return *session_;
    }
    void drop() { session_.reset(); }
    [[nodiscard]] bool healthy() const { return session_ && session_->is_connected(); }

private:
    void open()
    {
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
                *session_ << "SET statement_timeout = " + std::to_string(options_.statement_timeout.count());
            }
        } catch (const std::exception& e) {
            session_.reset();
            throw unavailable(std::string("cannot open the database: ") + e.what());
        }
    }
    long busy_seconds() const
    {
        return std::max<long>(1, static_cast<long>(options_.statement_timeout.count() / 1000));
    }

    connection_url url_;
    db_options options_;
    std::unique_ptr<soci::session> session_;
};

} // namespace

struct db_executor::impl {
    connection_url url;
    db_options options;
    job_queue readers;
    job_queue writers; // SQLite only; PostgreSQL sends everything to `readers`
    std::vector<std::thread> threads;
    std::unique_ptr<connection> blocking; // the writer connection for run_blocking (before threads start)
    std::atomic<std::size_t> busy{0};
    std::size_t connection_count = 0;

    void work(job_queue& queue, connection& conn)
    {
        while (auto j = queue.pop()) {
            std::exception_ptr error;
            try {
                j->work(conn.get());
            } catch (const soci::soci_error& e) {
                if (e.get_error_category() == soci::soci_error::connection_error || !conn.healthy()) {
                    conn.drop();
                    error = std::make_exception_ptr(unavailable(e.what()));
                } else if (is_timeout(e)) {
                    error = std::make_exception_ptr(unavailable(e.what()));
                } else {
                    error = std::current_exception();
                }
            } catch (...) {
                error = std::current_exception();
            }
            j->done(error);
        }
    }

    static bool is_timeout(const soci::soci_error& e)
    {
        if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e))
            return pg->sqlstate() == "57014" || pg->sqlstate().starts_with("08");
        if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e))
            return lite->result() == 5 /* SQLITE_BUSY */ || lite->result() == 6 /* SQLITE_LOCKED */;
        return false;
    }

    void start()
    {
        auto spawn = [this](job_queue& q) {
            auto conn = std::make_shared<connection>(url, options);
            threads.emplace_back([this, &q, conn] { work(q, *conn); });
            ++connection_count;
        };
        if (url.kind == dialect::sqlite) {
            for (unsigned i = 0; i < std::max(1u, options.readers); ++i)
                spawn(readers);
            spawn(writers);
        } else {
            for (unsigned i = 0; i < std::max(1u, options.pool); ++i)
                spawn(readers);
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
    }
    i->blocking = std::make_unique<connection>(i->url, options);
    static_cast<void>(i->blocking->get()); // fail now, with one clear line, if it cannot be opened
    i->start();
    return std::unique_ptr<db_executor>(new db_executor(std::move(i)));
}

db_executor::~db_executor()
{
    impl_->readers.close();
    impl_->writers.close();
    for (auto& t : impl_->threads)
        t.join();
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
            queue.push({std::move(work), [shared, guard, busy](std::exception_ptr error) mutable {
                            busy->fetch_sub(1, std::memory_order_relaxed);
                            asio::post(guard.get_executor(), [shared, error]() mutable { std::move (*shared)(error); });
                            guard.reset();
                        }});
        },
        asio::use_awaitable);
}

asio::awaitable<bool> db_executor::database_responds()
{
    try {
        co_await read([](soci::session& s) {
            int one = 0;
            s << "SELECT 1", soci::into(one);
        });
        co_return true;
    } catch (const std::exception&) {
        co_return false;
    }
}

} // namespace chatkit::store
