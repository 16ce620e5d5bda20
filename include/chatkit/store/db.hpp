#pragma once

#include "chatkit/store/health_probe.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace soci {
class session;
}

namespace chatkit::store {

enum class dialect { sqlite, postgresql };

// The database could not be reached or stopped answering. error_guard turns
// it into 503 SERVICE_UNAVAILABLE; the message never reaches a client.
class unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct db_options {
    std::string url;                                   // sqlite:///path or postgresql://...
    unsigned readers = 2;                              // SQLite reader connections (WAL)
    unsigned pool = 4;                                 // PostgreSQL connections
    std::chrono::milliseconds statement_timeout{5000}; // PostgreSQL statement_timeout, SQLite busy timeout
    std::chrono::milliseconds connect_timeout{3000};
};

// The DB executor: its own threads, each owning one SOCI session, so no SOCI
// call ever runs on an I/O thread. Handlers await it:
//
//   auto user = co_await db.read([&](soci::session& s) { return users::find(s, id); });
//
// SQLite gets reader threads plus one writer thread (WAL allows concurrent
// readers and one writer; serialising writes in-process means SQLITE_BUSY
// can only come from another process, which the busy timeout absorbs).
// PostgreSQL uses one pool for both. A connection that fails is reopened on
// its next use, so the server recovers by itself when the database returns.
class db_executor : public health_probe {
public:
    static std::unique_ptr<db_executor> open(const db_options& options);
    ~db_executor() override;
    db_executor(const db_executor&) = delete;
    // Ends the threads once every queued job has run; later jobs fail as
    // unavailable. Called before logging ends (it may log); the destructor
    // calls it too.
    void close();
    db_executor& operator=(const db_executor&) = delete;

    [[nodiscard]] store::dialect dialect() const;

    template <class F> auto read(F f) -> boost::asio::awaitable<decltype(f(std::declval<soci::session&>()))>
    {
        return run(false, std::move(f));
    }
    template <class F> auto write(F f) -> boost::asio::awaitable<decltype(f(std::declval<soci::session&>()))>
    {
        return run(true, std::move(f));
    }

    boost::asio::awaitable<bool> database_responds() override;

    // Number of jobs queued or running now (for /metrics).
    [[nodiscard]] std::size_t busy() const;
    [[nodiscard]] std::size_t connections() const;

    // Runs a job synchronously on the calling thread with the writer
    // connection: start-up work (migrations) and admin commands only.
    void run_blocking(const std::function<void(soci::session&)>& job);

private:
    struct impl;
    explicit db_executor(std::unique_ptr<impl> i);

    boost::asio::awaitable<void> submit(bool write, std::function<void(soci::session&)> job);

    template <class F> auto run(bool write, F f) -> boost::asio::awaitable<decltype(f(std::declval<soci::session&>()))>
    {
        using result = decltype(f(std::declval<soci::session&>()));
        if constexpr (std::is_void_v<result>) {
            co_await submit(write, [&](soci::session& s) { f(s); });
        } else {
            std::optional<result> out;
            co_await submit(write, [&](soci::session& s) { out.emplace(f(s)); });
            co_return std::move(*out);
        }
    }

    std::unique_ptr<impl> impl_;
};

} // namespace chatkit::store
