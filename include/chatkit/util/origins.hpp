#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::util {

// http(s)://localhost, 127.x.x.x or [::1], any port, no path.
bool is_loopback_origin(std::string_view origin);

// `url` when a verification link may return to it: an absolute http(s) URL
// of at most 2048 characters, with no fragment, credentials, white space or
// control characters, whose origin is in `origins` (or, with
// `allow_loopback`, a loopback origin). Anything else is nullopt: a link must
// never send a token to a site the operator did not list.
std::optional<std::string> accepted_return_url(std::string_view url, const std::vector<std::string>& origins,
                                               bool allow_loopback);

} // namespace chatkit::util
