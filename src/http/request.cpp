#include "chatkit/http/request.hpp"

namespace chatkit::http {

std::string_view request_context::param(std::string_view name) const
{
    for (const auto& [key, value] : params)
        if (key == name)
            return value;
    return {};
}

} // namespace chatkit::http
