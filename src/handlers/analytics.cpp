#include "chatkit/handlers/analytics.hpp"

#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/analytics.hpp"
#include "chatkit/util/time.hpp"

#include <boost/json/serialize.hpp>

namespace chatkit::handlers {

namespace {

constexpr std::size_t max_event_data = 4096;

bool valid_event_type(std::string_view t)
{
    if (t.empty() || t.size() > 64 || !(t.front() >= 'a' && t.front() <= 'z'))
        return false;
    for (char c : t)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

} // namespace

void mount_analytics(http::router& r, services::analytics_service& analytics, std::size_t max_json_depth)
{
    r.add("POST", "/api/v1/analytics/event",
          [&analytics, max_json_depth](http::request& req,
                                       http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              auto parsed = http::parse_json_object(req, ctx, max_json_depth);
              if (auto* error = std::get_if<http::reply>(&parsed))
                  co_return std::move(*error);
              http::json_fields fields(std::get<boost::json::object>(parsed), ctx);
              auto type = fields.string("event_type");
              auto data = fields.object("event_data", false);
              if (fields.error())
                  co_return *fields.error();
              if (!valid_event_type(*type))
                  co_return http::invalid_field(ctx, "event_type", "event_type must match ^[a-z][a-z0-9_]{0,63}$.");
              auto serialized = data->empty() ? std::string() : boost::json::serialize(*data);
              if (serialized.size() > max_event_data)
                  co_return http::invalid_field(ctx, "event_data", "event_data must be at most 4 KiB serialized.");
              std::optional<std::string> user, session;
              if (ctx.caller) {
                  session = ctx.caller->session_id;
                  if (!ctx.caller->anonymous())
                      user = ctx.caller->user_id;
              }
              auto receipt = analytics.record(std::move(*type), std::move(serialized), user, session);
              if (!receipt)
                  co_return http::error_reply(ctx, 503, "SERVICE_UNAVAILABLE",
                                              "Analytics are backed up; try again shortly.",
                                              boost::json::object{{"retry_after", 5}});
              co_return http::json_reply(200, boost::json::object{{"event_id", receipt->event_id},
                                                                  {"logged_at", util::rfc3339(receipt->logged_at)}});
          },
          {.body_limit = 8192, .json_body = true});
}

} // namespace chatkit::handlers
