#include "chatkit/server/server.hpp"

#include "session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <stdexcept>
#include <sys/resource.h>
#include <thread>

namespace chatkit::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct server::impl {
    impl(const config::config& c, const http::chain& ch, const http::router& r)
        : cfg(c), env{c, ch, r, *util::address_set::parse(c.trusted_proxies), {}}, contexts(make_contexts(c.threads)),
          max_connections(connection_cap(c.max_connections))
    {
        for (auto& ctx : contexts)
            guards.emplace_back(ctx->get_executor());
    }

    // MAX_CONNECTIONS, or what the descriptor limit leaves after a reserve for
    // the database, the upstream model, the log and the corpus.
    std::function<void()> drain_started;

    static std::size_t connection_cap(std::size_t configured)
    {
        if (configured > 0)
            return configured;
        rlimit limit{};
        if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
            return 65536;
        return limit.rlim_cur > 512 ? static_cast<std::size_t>(limit.rlim_cur) - 256 : limit.rlim_cur / 2;
    }

    // Hint 1: each context is run by exactly one thread, so Asio can skip
    // waking other threads; posting from elsewhere stays safe.
    static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned threads)
    {
        std::vector<std::unique_ptr<asio::io_context>> out;
        for (unsigned i = 0; i < std::max(1u, threads); ++i)
            out.push_back(std::make_unique<asio::io_context>(1));
        return out;
    }

    void open_acceptor()
    {
        tcp::endpoint endpoint{asio::ip::make_address(cfg.bind), cfg.port};
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        boost::system::error_code ec;
        acceptor.bind(endpoint, ec);
        if (!ec)
            acceptor.listen(asio::socket_base::max_listen_connections, ec);
        // The public and the admin listener both come here: say which port.
        if (ec)
            throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + " port " +
                                     std::to_string(cfg.port) + ": " + ec.message());
        port = acceptor.local_endpoint().port();
    }

    // One acceptor; each accepted socket is created on the next I/O context
    // in turn and lives there for good, so a session never crosses threads.
    // (SO_REUSEPORT acceptors per thread would let a second server silently
    // share the port instead of failing to start.)
    asio::awaitable<void> accept_loop()
    {
        std::size_t next = 0;
        asio::steady_timer pause(acceptor.get_executor());
        auto backoff = std::chrono::milliseconds(10);
        std::chrono::steady_clock::time_point last_warning{};
        std::size_t failures = 0;
        for (;;) {
            // At the cap, new connections wait in the kernel's backlog until a
            // session ends, instead of taking descriptors the open ones need.
            if (registry.size() >= max_connections) {
                pause.expires_after(std::chrono::milliseconds(20));
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                if (!acceptor.is_open())
                    co_return;
                continue;
            }
            auto& target = *contexts[next];
            next = (next + 1) % contexts.size();
            auto [ec, socket] = co_await acceptor.async_accept(target, asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted || !acceptor.is_open())
                co_return;
            if (ec) {
                // EMFILE and friends: back off (10 ms doubling to 1 s) and say
                // so at most every 10 s, instead of spinning and flooding the log.
                ++failures;
                auto now = std::chrono::steady_clock::now();
                if (now - last_warning >= std::chrono::seconds(10)) {
                    spdlog::warn("accept failed {} time(s): {} ({} connections open)", failures, ec.message(),
                                 registry.size());
                    last_warning = now;
                    failures = 0;
                }
                pause.expires_after(backoff);
                co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
                continue;
            }
            backoff = std::chrono::milliseconds(10);
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            start_session(std::move(socket));
        }
    }

    void start_session(tcp::socket socket)
    {
        auto handle = std::make_shared<session_handle>();
        handle->executor = socket.get_executor();
        registry.add(handle);
        auto slot = handle->cancel.slot();
        // The completion handler owns the handle too: the signal its slot
        // belongs to must outlive co_spawn's completion, not just the
        // coroutine frame (which goes first).
        asio::co_spawn(socket.get_executor(), run_session(std::move(socket), env, handle),
                       asio::bind_cancellation_slot(slot, [this, handle](std::exception_ptr e) {
                           if (e) {
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& ex) {
                                   spdlog::error("session ended by an exception: {}", ex.what());
                               }
                           }
                           session_ended(handle.get());
                       }));
    }

    void session_ended(const session_handle* h)
    {
        auto left = registry.remove(h);
        if (left == 0 && env.draining.load())
            finish();
    }

    void begin_drain()
    {
        if (env.draining.exchange(true))
            return;
        if (drain_started)
            drain_started();
        spdlog::info("draining: no new connections; open requests and streams have {} ms", cfg.drain_timeout.count());
        asio::post(*contexts[0], [this] {
            boost::system::error_code ignored;
            acceptor.close(ignored);
        });
        registry.for_each([](session_handle& h) {
            if (h.idle && h.socket) {
                boost::system::error_code ignored;
                h.socket->cancel(ignored);
            }
        });
        drain_timer.expires_after(cfg.drain_timeout);
        drain_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec)
                force_close("drain timeout reached");
        });
        if (registry.size() == 0)
            finish();
    }

    void force_close(const char* why)
    {
        spdlog::warn("{}: closing {} remaining connection(s)", why, registry.size());
        registry.for_each([](session_handle& h) {
            h.cancel.emit(asio::cancellation_type::terminal);
            if (h.socket) {
                boost::system::error_code ignored;
                h.socket->close(ignored);
            }
        });
    }

    void finish()
    {
        asio::post(*contexts[0], [this] {
            drain_timer.cancel();
            signals.cancel();
            for (auto& g : guards)
                g.reset();
            for (auto& ctx : contexts)
                ctx->stop();
        });
    }

    void watch_signals()
    {
        signals.async_wait([this](boost::system::error_code ec, int signo) {
            if (ec)
                return;
            if (env.draining.load()) {
                force_close("second signal");
                return;
            }
            spdlog::info("received {}", signo == SIGTERM ? "SIGTERM" : "SIGINT");
            begin_drain();
            watch_signals();
        });
    }

    const config::config& cfg;
    session_env env;
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    session_registry registry;
    std::size_t max_connections;
    std::uint16_t port = 0;
    asio::signal_set signals{*contexts.at(0), SIGINT, SIGTERM};
    asio::steady_timer drain_timer{*contexts.at(0)};
    tcp::acceptor acceptor{*contexts.at(0)};
};

server::server(const config::config& cfg, const http::chain& chain, const http::router& router)
    : impl_(std::make_unique<impl>(cfg, chain, router))
{
}

server::~server() = default;

std::uint16_t server::listen()
{
    impl_->open_acceptor();
    return impl_->port;
}

void server::run(bool handle_signals)
{
    asio::co_spawn(*impl_->contexts[0], impl_->accept_loop(), asio::detached);
    if (handle_signals)
        impl_->watch_signals();

    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->contexts.size(); ++i)
        threads.emplace_back([ctx = impl_->contexts[i].get()] { ctx->run(); });
    impl_->contexts[0]->run();
    for (auto& t : threads)
        t.join();
}

void server::on_drain(std::function<void()> f)
{
    impl_->drain_started = std::move(f);
}

void server::stop()
{
    asio::post(*impl_->contexts[0], [this] { impl_->begin_drain(); });
}

} // namespace chatkit::server
