#pragma once

#include <string_view>

namespace chatkit::util {

// `s` without leading and trailing characters from `chars`.
[[nodiscard]] constexpr std::string_view trim(std::string_view s, std::string_view chars = " \t")
{
    auto first = s.find_first_not_of(chars);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

} // namespace chatkit::util
