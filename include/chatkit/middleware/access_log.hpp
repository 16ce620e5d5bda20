#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// One line per request: method, path (never the query string), status, bytes,
// duration, request id. Headers (Authorization, cookies) are never logged.
// A stream is logged when it ends, with the bytes it really sent.
class access_log final : public http::middleware {
public:
    [[nodiscard]] std::string_view name() const override { return "access_log"; }
    void after(const http::request& req, const http::request_context& ctx, http::reply& r) const override;
};

} // namespace chatkit::middleware
