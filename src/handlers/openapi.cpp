#include "chatkit/handlers/openapi.hpp"

namespace chatkit::handlers {

void mount_openapi(http::router& r)
{
    r.add("GET", "/openapi.json", [](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
        http::reply reply;
        reply.headers.add("Content-Type", "application/json");
        reply.headers.add("Cache-Control", "public, max-age=300");
        reply.body = std::string(openapi_document());
        co_return reply;
    });
}

} // namespace chatkit::handlers
