#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::services {
class identity_service;
}

namespace chatkit::middleware {

// Reads `Authorization: Bearer <token>` (never a query string or cookie),
// resolves it to the session's owner and attaches it as ctx.caller with the
// tier the server derives (a tier the client sends is ignored). It decides
// nothing: handlers that need a caller answer 401 themselves (auth_reply.hpp).
class auth final : public http::middleware {
public:
    explicit auth(services::identity_service& identity) : identity_(identity) {}
    [[nodiscard]] std::string_view name() const override { return "auth"; }
    // Only a request that carries credentials has them looked up.
    [[nodiscard]] bool waits(const http::request& req, const http::request_context& ctx) const override;
    boost::asio::awaitable<std::optional<http::reply>> before_waiting(http::request& req,
                                                                      http::request_context& ctx) const override;

    // The token of a well-formed header, or empty.
    [[nodiscard]] static std::string_view bearer_token(std::string_view header);

private:
    services::identity_service& identity_;
};

} // namespace chatkit::middleware
