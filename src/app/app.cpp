#include "chatkit/app.hpp"

#include "chatkit/handlers/ops.hpp"
#include "chatkit/handlers/test_routes.hpp"
#include "chatkit/middleware/access_log.hpp"
#include "chatkit/middleware/cors.hpp"
#include "chatkit/middleware/error_guard.hpp"
#include "chatkit/middleware/https_guard.hpp"
#include "chatkit/middleware/limits.hpp"
#include "chatkit/middleware/metrics.hpp"
#include "chatkit/middleware/request_id.hpp"
#include "chatkit/middleware/security_headers.hpp"

namespace chatkit {

std::unique_ptr<app> make_app(const config::config& cfg)
{
    auto a = std::make_unique<app>();
    handlers::mount_ops(a->router, a->metrics, nullptr);
    if (cfg.test_routes)
        handlers::mount_test_routes(a->router, cfg);

    std::vector<std::unique_ptr<http::middleware>> layers;
    layers.push_back(std::make_unique<middleware::request_id>());
    layers.push_back(std::make_unique<middleware::access_log>());
    layers.push_back(std::make_unique<middleware::metrics>(a->metrics));
    layers.push_back(std::make_unique<middleware::security_headers>());
    layers.push_back(std::make_unique<middleware::cors>(cfg.cors_origins));
    layers.push_back(std::make_unique<middleware::error_guard>());
    layers.push_back(std::make_unique<middleware::https_guard>(cfg.production()));
    layers.push_back(std::make_unique<middleware::limits>());
    auto* router = &a->router;
    a->chain =
        std::make_unique<http::chain>(std::move(layers), [router](http::request& req, http::request_context& ctx) {
            return router->dispatch(req, ctx);
        });
    return a;
}

} // namespace chatkit
