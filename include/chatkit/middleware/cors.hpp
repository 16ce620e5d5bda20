#pragma once

#include "chatkit/http/middleware.hpp"

#include <string>
#include <vector>

namespace chatkit::middleware {

// Only allowlisted origins get Access-Control-Allow-Origin (their own, never
// '*'); every reply varies on Origin; preflights are answered here. With an
// empty allowlist (development only; production refuses to start) any
// loopback origin is allowed.
class cors final : public http::middleware {
public:
    explicit cors(std::vector<std::string> origins) : origins_(std::move(origins)) {}
    [[nodiscard]] std::string_view name() const override { return "cors"; }
    std::optional<http::reply> before(http::request& req, http::request_context& ctx) const override;
    void after(const http::request& req, const http::request_context& ctx, http::reply& r) const override;

    [[nodiscard]] bool allows(std::string_view origin) const;

private:
    std::vector<std::string> origins_;
};

} // namespace chatkit::middleware
