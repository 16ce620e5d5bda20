#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chatkit::services {

// The address to store and mail to, or nullopt when it is not one we accept.
// Deliberately narrower than RFC 5321, so that no address can steer a mail
// system (source routes, '%' hacks, quoted strings, comments):
//   local part  1-64 of a-z 0-9 . _ + - ; no leading, trailing or double dot
//   domain      two or more labels of 1-63 of a-z 0-9 -, not starting or
//               ending with '-', the last not all digits, 253 bytes at most;
//               a label in another script must be valid IDNA2008 (UTS 46
//               non-transitional mapping, by libidn2) and is written as its
//               A-label ("Bücher" -> "xn--bcher-kva"); a code point that
//               mapping would drop unseen (U+200B) is refused
//   whole       254 bytes at most; trimmed and lower-cased
[[nodiscard]] std::optional<std::string> normalize_email(std::string_view raw);

} // namespace chatkit::services
