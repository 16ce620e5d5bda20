#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// One line per request: method, path (never the query string), status, bytes,
// duration, request id. Headers (Authorization, cookies) are never logged.
// A stream is logged when it ends, with the bytes it really sent.
class access_log final : public http::middleware {
public:
    [[nodiscard]] std::string_view name() const override { return "access_log"; }
    boost::asio::awaitable<http::reply> handle(http::request& req, http::request_context& ctx,
                                               http::next_handler next) const override;
};

} // namespace chatkit::middleware
