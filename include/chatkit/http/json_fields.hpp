#pragma once

#include "chatkit/http/reply.hpp"
#include "chatkit/http/request.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chatkit::http {

// Typed access to a parsed body. A missing required field, or one of the
// wrong type, yields the contract's 400 INVALID_REQUEST naming the field.
class json_fields {
public:
    // `prefix` names a nested object in errors ("context." -> "context.mode").
    json_fields(const boost::json::object& body, const request_context& ctx, std::string prefix = {})
        : body_(body), ctx_(ctx), prefix_(std::move(prefix))
    {
    }

    std::optional<std::string> string(std::string_view name, bool required = true);
    std::optional<bool> boolean(std::string_view name, bool required = true);
    // An object, or null/absent -> empty object when not required.
    std::optional<boost::json::object> object(std::string_view name, bool required = true);

    // The first problem found, if any.
    [[nodiscard]] const std::optional<reply>& error() const { return error_; }

private:
    const boost::json::value* find(std::string_view name, bool required);
    void fail(std::string_view name, std::string_view message);

    const boost::json::object& body_;
    const request_context& ctx_;
    std::string prefix_;
    std::optional<reply> error_;
};

} // namespace chatkit::http
