#pragma once

#include <cstdint>
#include <string>
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

// `s` without leading and trailing white space or invisible characters of
// any script: ASCII white space, no-break and typographic spaces (U+00A0,
// U+2000-U+200A, U+202F, U+205F, U+3000), zero-width and format characters
// (U+200B-U+200F, U+2028, U+2029, U+2060-U+2064, U+FEFF, U+180E, U+1680).
// A text that is only these is empty. `s` must be valid UTF-8.
[[nodiscard]] std::string_view trim_space(std::string_view s);

// `s` with A-Z lower-cased; every other byte (UTF-8 included) as it is.
[[nodiscard]] std::string ascii_lower(std::string_view s);

// Appends code point `cp` as UTF-8; NUL, surrogates and values past U+10FFFF
// become U+FFFD.
void append_utf8(std::string& out, std::uint32_t cp);

} // namespace chatkit::util
