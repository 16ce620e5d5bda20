#pragma once

#include "chatkit/http/middleware.hpp"

namespace chatkit::middleware {

// The error boundary: an exception from anything inside becomes the
// contract's 500 with the request id and nothing internal; a database that
// does not answer (store::unavailable) becomes 503 SERVICE_UNAVAILABLE. The exception is
// logged once, here, with the request id so the two can be matched.
class error_guard final : public http::middleware {
public:
    [[nodiscard]] std::string_view name() const override { return "error_guard"; }
    http::reply recover(std::exception_ptr e, const http::request& req,
                        const http::request_context& ctx) const override;
};

} // namespace chatkit::middleware
