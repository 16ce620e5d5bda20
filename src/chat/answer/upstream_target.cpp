#include "chatkit/chat/answer/upstream_target.hpp"

#include "chatkit/util/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <stdexcept>

namespace chatkit::chat {

namespace asio = boost::asio;
namespace beast = boost::beast;

upstream_target::upstream_target(const std::string& base_url, const std::string& setting, const std::string& endpoint)
{
    auto url = util::parse_absolute_url(base_url);
    if (!url || (url->scheme_id() != boost::urls::scheme::http && url->scheme_id() != boost::urls::scheme::https))
        throw std::invalid_argument(setting + " must start with http:// or https://");
    if (url->encoded_host().empty())
        throw std::invalid_argument(setting + " has no host");
    tls_enabled_ = url->scheme_id() == boost::urls::scheme::https;
    // The resolver takes an IPv6 literal without brackets; Host keeps them.
    host_ = url->host_type() == boost::urls::host_type::ipv6 ? url->host_address() : url->host();
    host_header_ = std::string(url->encoded_host_and_port());
    port_ = url->has_port() ? std::string(url->port()) : tls_enabled_ ? "443" : "80";
    std::string_view prefix(url->encoded_path().data(), url->encoded_path().size());
    while (prefix.ends_with('/'))
        prefix.remove_suffix(1);
    path_ = std::string(prefix) + endpoint;
    if (tls_enabled_) {
        tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
        tls_->set_default_verify_paths();
        tls_->set_verify_mode(asio::ssl::verify_peer);
    }
}

upstream_target::~upstream_target() = default;

beast::http::request<beast::http::string_body> upstream_target::post(std::string body, const std::string& api_key) const
{
    beast::http::request<beast::http::string_body> req{beast::http::verb::post, path_, 11};
    req.set(beast::http::field::host, host_header_);
    req.set(beast::http::field::content_type, "application/json");
    if (!api_key.empty())
        req.set(beast::http::field::authorization, "Bearer " + api_key);
    req.body() = std::move(body);
    return req;
}

std::vector<asio::ip::tcp::endpoint> upstream_target::cached_endpoints()
{
    std::lock_guard lock(endpoints_mutex_);
    return endpoints_;
}

void upstream_target::remember_endpoints(std::vector<asio::ip::tcp::endpoint> endpoints)
{
    std::lock_guard lock(endpoints_mutex_);
    endpoints_ = std::move(endpoints);
}

asio::awaitable<std::unique_ptr<upstream_connection>> upstream_target::open(asio::any_io_executor executor,
                                                                            std::chrono::milliseconds timeout)
{
    auto connection = std::make_unique<upstream_connection>();
    connection->plain = std::make_unique<beast::tcp_stream>(executor);
    auto& tcp = *connection->plain;
    tcp.expires_after(timeout);
    auto endpoints = cached_endpoints();
    if (endpoints.empty()) {
        // getaddrinfo runs on Asio's resolver thread; its answer is kept so
        // later requests skip it (and dropped when a connect fails). A DNS
        // server that never answers costs the connect deadline, no more:
        // the timer cancels the lookup, and owns the resolver so that a
        // cancel already queued never outlives it.
        auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
        asio::steady_timer deadline(executor, timeout);
        auto expired = std::make_shared<bool>(false);
        deadline.async_wait([resolver, expired](boost::system::error_code ec) {
            if (!ec) {
                *expired = true;
                resolver->cancel();
            }
        });
        auto [resolve_error, results] =
            co_await resolver->async_resolve(host_, port_, asio::as_tuple(asio::use_awaitable));
        deadline.cancel();
        if (resolve_error)
            throw boost::system::system_error(*expired ? asio::error::timed_out : resolve_error);
        for (const auto& r : results)
            endpoints.push_back(r.endpoint());
        remember_endpoints(endpoints);
    }
    // Through the stream, not its socket: its deadline covers the connect.
    auto [connect_error, connected] = co_await tcp.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    if (connect_error) {
        remember_endpoints({});
        throw boost::system::system_error(connect_error);
    }
    if (!tls_enabled_)
        co_return connection;
    connection->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*connection->plain), *tls_);
    connection->plain.reset();
    auto& tls = *connection->tls;
    if (!SSL_set_tlsext_host_name(tls.native_handle(), host_.c_str()))
        throw std::runtime_error("cannot set TLS server name");
    tls.set_verify_callback(asio::ssl::host_name_verification(host_));
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_return connection;
}

} // namespace chatkit::chat
