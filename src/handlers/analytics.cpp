#include "chatkit/handlers/analytics.hpp"

#include "chatkit/config/config.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/analytics.hpp"
#include "chatkit/services/local_limiter.hpp"
#include "chatkit/util/address_set.hpp"
#include "chatkit/util/time.hpp"

#include <boost/json/serialize.hpp>

namespace chatkit::handlers {

namespace {

constexpr std::size_t max_event_data = 4096;
constexpr std::size_t max_batch = 20;

bool valid_event_type(std::string_view t)
{
    if (t.empty() || t.size() > 64 || !(t.front() >= 'a' && t.front() <= 'z'))
        return false;
    for (char c : t)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

// One event of the body: {"event_type", "event_data"?}; `field` names it in errors.
std::variant<services::analytics_service::event, http::reply>
parse_event(const boost::json::object& o, const http::request_context& ctx, const std::string& field)
{
    http::json_fields fields(o, ctx, field);
    auto type = fields.string("event_type");
    auto data = fields.object("event_data", false);
    if (fields.error())
        return *fields.error();
    if (!valid_event_type(*type))
        return http::invalid_field(ctx, field + "event_type", "event_type must match ^[a-z][a-z0-9_]{0,63}$.");
    auto serialized = data->empty() ? std::string() : boost::json::serialize(*data);
    if (serialized.size() > max_event_data)
        return http::invalid_field(ctx, field + "event_data", "event_data must be at most 4 KiB serialized.");
    return services::analytics_service::event{std::move(*type), std::move(serialized)};
}

// A single event or a batch {"events": [...]} of at most 20: all valid, or none stored.
std::variant<std::vector<services::analytics_service::event>, http::reply>
parse_events(const boost::json::object& o, const http::request_context& ctx)
{
    std::vector<services::analytics_service::event> out;
    const auto* batch = o.if_contains("events");
    if (!batch) {
        auto one = parse_event(o, ctx, "");
        if (auto* refused = std::get_if<http::reply>(&one))
            return std::move(*refused);
        out.push_back(std::move(std::get<services::analytics_service::event>(one)));
        return out;
    }
    if (!batch->is_array() || batch->as_array().empty())
        return http::invalid_field(ctx, "events", "events must be a non-empty array.");
    if (batch->as_array().size() > max_batch)
        return http::invalid_field(ctx, "events", "At most 20 events can be sent at once.");
    for (std::size_t i = 0; i < batch->as_array().size(); ++i) {
        auto field = "events[" + std::to_string(i) + "].";
        const auto& e = batch->as_array()[i];
        if (!e.is_object())
            return http::invalid_field(ctx, field.substr(0, field.size() - 1), "Each event must be an object.");
        auto one = parse_event(e.as_object(), ctx, field);
        if (auto* refused = std::get_if<http::reply>(&one))
            return std::move(*refused);
        out.push_back(std::move(std::get<services::analytics_service::event>(one)));
    }
    return out;
}

} // namespace

void mount_analytics(http::router& r, services::analytics_service& analytics, services::local_limiter& limiter,
                     const config::config& cfg)
{
    r.add("POST", "/api/v1/analytics/event",
          [&analytics, &limiter, &cfg](http::request& req,
                                       http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              auto parsed = http::parse_json_object(req, ctx, cfg.max_json_depth);
              if (auto* error = std::get_if<http::reply>(&parsed))
                  co_return std::move(*error);
              auto events = parse_events(std::get<boost::json::object>(parsed), ctx);
              if (auto* refused = std::get_if<http::reply>(&events))
                  co_return std::move(*refused);
              auto& list = std::get<std::vector<services::analytics_service::event>>(events);
              std::optional<std::string> user, session;
              if (ctx.caller) {
                  session = ctx.caller->session_id;
                  if (!ctx.caller->anonymous())
                      user = ctx.caller->user_id;
              }
              // Per client: its token, else its address. A batch counts each event.
              auto client = user      ? "user:" + *user
                            : session ? "anon:" + *session
                                      : "ip:" + util::limit_key(ctx.client_ip, cfg.ipv6_limit_prefix);
              if (auto no = limiter.admit("analytics:" + client, static_cast<long long>(list.size()),
                                          cfg.rates.analytics, "events"))
                  co_return http::too_many_requests(ctx, no->retry_after, no->limit);
              bool batch = std::get<boost::json::object>(parsed).contains("events");
              auto receipts = analytics.record(std::move(list), user, session);
              if (!receipts)
                  co_return http::error_reply(ctx, 503, "SERVICE_UNAVAILABLE",
                                              "Analytics are backed up; try again shortly.",
                                              boost::json::object{{"retry_after", 5}});
              auto logged_at = util::rfc3339(receipts->front().logged_at);
              if (!batch)
                  co_return http::json_reply(
                      200, boost::json::object{{"event_id", receipts->front().event_id}, {"logged_at", logged_at}});
              boost::json::array ids;
              for (const auto& r : *receipts)
                  ids.push_back(boost::json::string(r.event_id));
              co_return http::json_reply(200, boost::json::object{{"event_ids", ids}, {"logged_at", logged_at}});
          },
          {.body_limit = 96 * 1024, .json_body = true});
}

} // namespace chatkit::handlers
