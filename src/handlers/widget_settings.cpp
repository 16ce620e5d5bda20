#include "chatkit/handlers/widget_settings.hpp"

#include "chatkit/http/json_reply.hpp"

#include <boost/json/serialize.hpp>

namespace chatkit::handlers {

void mount_widget_settings(http::router& r, const config::config& cfg)
{
    boost::json::object settings{{"support_url", nullptr}};
    if (!cfg.support_url.empty())
        settings["support_url"] = cfg.support_url;
    auto body = boost::json::serialize(settings);
    r.add("GET", "/api/v1/widget/settings",
          [body](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
              auto reply = http::json_reply(200, body);
              // A change reaches readers within five minutes.
              reply.headers.add("Cache-Control", "public, max-age=300");
              co_return reply;
          });
}

} // namespace chatkit::handlers
