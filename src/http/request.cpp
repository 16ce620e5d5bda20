#include "chatkit/http/request.hpp"

#include <array>

namespace chatkit::http {

namespace {

constexpr std::array<std::string_view, 4> tier_names{"anonymous", "lightweight", "full", "premium"};

} // namespace

std::string_view tier_name(access_tier t)
{
    return tier_names[static_cast<std::size_t>(t)];
}

std::optional<access_tier> parse_tier(std::string_view name)
{
    for (std::size_t i = 0; i < tier_names.size(); ++i)
        if (tier_names[i] == name)
            return static_cast<access_tier>(i);
    return std::nullopt;
}

std::string_view request_context::param(std::string_view name) const
{
    for (const auto& [key, value] : params)
        if (key == name)
            return value;
    return {};
}

} // namespace chatkit::http
