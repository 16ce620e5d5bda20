#include "chatkit/http/json_reply.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chatkit::http {

reply json_reply(unsigned status, const boost::json::value& body)
{
    return json_reply(status, boost::json::serialize(body));
}

reply json_reply(unsigned status, std::string serialized)
{
    reply r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body = std::move(serialized);
    return r;
}

reply no_content()
{
    reply r;
    r.status = 204;
    return r;
}

reply error_reply(const request_context& ctx, unsigned status, std::string_view code, std::string_view message,
                  boost::json::value details)
{
    boost::json::object error{
        {"code", code},
        {"message", message},
        {"details", std::move(details)},
        {"request_id", ctx.request_id},
    };
    return json_reply(status, boost::json::object{{"error", std::move(error)}});
}

reply invalid_field(const request_context& ctx, std::string_view field, std::string_view message)
{
    return error_reply(ctx, 400, "INVALID_REQUEST", message, boost::json::object{{"field", field}});
}

std::variant<boost::json::object, reply> parse_json_object(const request& req, const request_context& ctx,
                                                           std::size_t max_depth)
{
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::system::error_code ec;
    auto value = boost::json::parse(req.body, ec, {}, options);
    if (ec == boost::json::error::too_deep)
        return invalid_field(ctx, "body", "The JSON body is nested too deeply.");
    if (ec)
        return invalid_field(ctx, "body", "The body is not valid JSON.");
    if (!value.is_object())
        return invalid_field(ctx, "body", "The body must be a JSON object.");
    return std::move(value.as_object());
}

reply too_many_requests(const request_context& ctx, long long retry_after, std::string_view limit)
{
    auto r = error_reply(ctx, 429, "RATE_LIMIT_EXCEEDED", "Too many requests; try again later.",
                         boost::json::object{{"retry_after", retry_after}, {"limit", limit}});
    r.headers.add("Retry-After", std::to_string(retry_after));
    return r;
}

} // namespace chatkit::http
