#pragma once

#include <string>
#include <string_view>

namespace chatkit::util {

// Decodes %XX escapes (URL userinfo, paths); malformed escapes are kept as
// they are.
[[nodiscard]] std::string percent_decode(std::string_view s);

} // namespace chatkit::util
