#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// Echoes a sane client X-Request-ID (1-128 printable ASCII characters) or
// makes one, and puts it on the reply.
class request_id final : public http::middleware {
public:
    [[nodiscard]] std::string_view name() const override { return "request_id"; }
    std::optional<http::reply> before(http::request& req, http::request_context& ctx) const override;
    void after(const http::request& req, const http::request_context& ctx, http::reply& r) const override;

    [[nodiscard]] static bool acceptable(std::string_view client_value);
    [[nodiscard]] static std::string generate();
};

} // namespace chatkit::middleware
