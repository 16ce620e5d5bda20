#include "chatkit/http/json_fields.hpp"

#include "chatkit/http/json_reply.hpp"

namespace chatkit::http {

void json_fields::fail(std::string_view name, std::string_view message)
{
    if (!error_)
        error_ = invalid_field(ctx_, prefix_ + std::string(name), message);
}

const boost::json::value* json_fields::find(std::string_view name, bool required)
{
    const auto* v = body_.if_contains(name);
    if ((!v || v->is_null()) && required) {
        fail(name, "Missing required field '" + std::string(name) + "'.");
        return nullptr;
    }
    return v && !v->is_null() ? v : nullptr;
}

std::optional<std::string> json_fields::string(std::string_view name, bool required)
{
    const auto* v = find(name, required);
    if (!v)
        return std::nullopt;
    if (!v->is_string()) {
        fail(name, "Field '" + std::string(name) + "' must be a string.");
        return std::nullopt;
    }
    return std::string(v->as_string());
}

std::optional<bool> json_fields::boolean(std::string_view name, bool required)
{
    const auto* v = find(name, required);
    if (!v)
        return std::nullopt;
    if (!v->is_bool()) {
        fail(name, "Field '" + std::string(name) + "' must be true or false.");
        return std::nullopt;
    }
    return v->as_bool();
}

std::optional<boost::json::object> json_fields::object(std::string_view name, bool required)
{
    const auto* v = find(name, required);
    if (!v)
        return required ? std::nullopt : std::optional<boost::json::object>(boost::json::object{});
    if (!v->is_object()) {
        fail(name, "Field '" + std::string(name) + "' must be an object.");
        return std::nullopt;
    }
    return v->as_object();
}

} // namespace chatkit::http
