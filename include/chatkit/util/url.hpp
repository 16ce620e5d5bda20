#pragma once

#include <boost/url/url_view.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace chatkit::util {

// `text` as an absolute URL (RFC 3986), or nullopt. Stricter than
// boost::urls::parse_uri alone: Boost.URL 1.81 reads "u:p@ss@host/" as the
// host "ss" followed by the path "@host/"; here a path after an authority
// must start with '/', so an unencoded '@' in a password is refused instead
// of silently changing the host.
[[nodiscard]] std::optional<boost::urls::url_view> parse_absolute_url(std::string_view text);

// Whether the URL's scheme is one of `schemes` (lower case), case-blind.
[[nodiscard]] bool has_scheme(boost::urls::url_view url, std::initializer_list<std::string_view> schemes);

// `s` with its percent escapes decoded (Boost.URL's); text with an invalid
// escape ("100%", "%zz") as it is written.
[[nodiscard]] std::string percent_decode(std::string_view s);

// Whether the host of the absolute URL `url` (any scheme) is localhost, an
// address of 127.0.0.0/8 or ::1.
[[nodiscard]] bool is_loopback_host(std::string_view url);

} // namespace chatkit::util
