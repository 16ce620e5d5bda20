#pragma once

// Included only by the upstream clients' sources: it brings in Beast.
#include "chatkit/chat/answer/upstream_pool.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace chatkit::chat {

// Where an OpenAI-compatible API lives (its base URL) and how to open a
// connection to it: resolved once and remembered, TLS with the host's name
// checked. Shared by the chat model's client and the embeddings client.
class upstream_target {
public:
    // `setting` names the URL's setting in the error: std::invalid_argument
    // for a URL that is not http(s)://host[:port][/prefix].
    upstream_target(const std::string& base_url, const std::string& setting, const std::string& endpoint);
    ~upstream_target();

    // A new connection, within `timeout` (resolving, connecting, TLS).
    boost::asio::awaitable<std::unique_ptr<upstream_connection>> open(boost::asio::any_io_executor executor,
                                                                      std::chrono::milliseconds timeout);

    // A POST of JSON `body` to the endpoint, with the bearer `api_key` when
    // there is one; callers add their own headers, then prepare_payload().
    [[nodiscard]] boost::beast::http::request<boost::beast::http::string_body> post(std::string body,
                                                                                    const std::string& api_key) const;

private:
    std::vector<boost::asio::ip::tcp::endpoint> cached_endpoints();
    void remember_endpoints(std::vector<boost::asio::ip::tcp::endpoint> endpoints);

    bool tls_enabled_ = false;
    std::string host_; // as the resolver and TLS name checks take it
    std::string host_header_;
    std::string port_;
    std::string path_;
    std::mutex endpoints_mutex_;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
    std::unique_ptr<boost::asio::ssl::context> tls_;
};

} // namespace chatkit::chat
