#pragma once

#include "chatkit/config/config.hpp"
#include "chatkit/util/address_set.hpp"

#include "session_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>

namespace chatkit::http {
class chain;
class router;
} // namespace chatkit::http

namespace chatkit::server {

// Everything a session reads, shared by all sessions of a server.
struct session_env {
    const config::config& cfg;
    const http::chain& chain;
    const http::router& router;
    util::address_set trusted_proxies;
    std::atomic<bool> draining{false};
};

// One connection: deadline -> read head -> checks -> read body -> chain ->
// write, until the client or a limit closes it.
boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket, session_env& env,
                                         std::shared_ptr<session_handle> handle);

} // namespace chatkit::server
