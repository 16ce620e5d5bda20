#include "chatkit/util/origins.hpp"

#include <algorithm>

namespace chatkit::util {

bool is_loopback_origin(std::string_view origin)
{
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!origin.starts_with(scheme))
            continue;
        auto host = origin.substr(scheme.size());
        for (std::string_view loopback : {"localhost", "127.0.0.1", "[::1]"})
            if (host == loopback ||
                (host.starts_with(loopback) && host.size() > loopback.size() && host[loopback.size()] == ':'))
                return true;
    }
    return false;
}

std::optional<std::string> accepted_return_url(std::string_view url, const std::vector<std::string>& origins,
                                               bool allow_loopback)
{
    constexpr std::size_t max_length = 2048;
    if (url.empty() || url.size() > max_length)
        return std::nullopt;
    for (unsigned char c : url)
        if (c <= 0x20 || c == 0x7f || c == '#' || c == '\\')
            return std::nullopt;
    std::size_t scheme_end = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
    if (scheme_end == 0)
        return std::nullopt;
    auto authority_end = url.find_first_of("/?", scheme_end);
    auto authority = url.substr(scheme_end, authority_end == std::string_view::npos ? std::string_view::npos
                                                                                    : authority_end - scheme_end);
    if (authority.empty() || authority.find('@') != std::string_view::npos)
        return std::nullopt;
    // Origins compare as the browser serialises them: lower-case scheme and host.
    std::string origin(url.substr(0, scheme_end + authority.size()));
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    bool listed = std::find(origins.begin(), origins.end(), origin) != origins.end();
    if (!listed && !(allow_loopback && is_loopback_origin(origin)))
        return std::nullopt;
    return std::string(url);
}

} // namespace chatkit::util
