#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// Answers a request the session found over a limit (431 head too large, 413
// body too large, 400 malformed or smuggling-shaped) and closes the
// connection. The session measures; this layer decides the reply, so those
// answers carry the request id, CORS and security headers too.
class limits final : public http::middleware {
public:
    [[nodiscard]] std::string_view name() const override { return "limits"; }
    std::optional<http::reply> before(http::request& req, http::request_context& ctx) const override;
};

} // namespace chatkit::middleware
