#include "chatkit/util/origins.hpp"

#include "chatkit/util/url.hpp"

#include <algorithm>

namespace chatkit::util {

bool is_loopback_origin(std::string_view origin)
{
    auto parsed = parse_absolute_url(origin);
    return parsed && has_scheme(*parsed, {"http", "https"}) && parsed->encoded_path().empty() &&
           is_loopback_host(origin);
}

std::optional<std::string> accepted_return_url(std::string_view url, const std::vector<std::string>& origins,
                                               bool allow_loopback)
{
    constexpr std::size_t max_length = 2048;
    if (url.empty() || url.size() > max_length)
        return std::nullopt;
    // Characters a browser would repair or reinterpret (white space, a
    // backslash read as a slash) are refused before parsing.
    for (unsigned char c : url)
        if (c <= 0x20 || c == 0x7f || c == '#' || c == '\\')
            return std::nullopt;
    auto parsed = parse_absolute_url(url);
    if (!parsed || !has_scheme(*parsed, {"http", "https"}) || parsed->has_userinfo() || parsed->encoded_host().empty())
        return std::nullopt;
    // Origins compare as the browser serialises them: lower-case scheme and host.
    std::string origin = std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_authority());
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    bool listed = std::find(origins.begin(), origins.end(), origin) != origins.end();
    if (!listed && !(allow_loopback && is_loopback_origin(origin)))
        return std::nullopt;
    return std::string(url);
}

} // namespace chatkit::util
