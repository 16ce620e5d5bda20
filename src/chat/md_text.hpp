#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chatkit::chat::md {

// Appends code point `cp` as UTF-8; NUL, surrogates and values past U+10FFFF
// become U+FFFD.
void append_utf8(std::string& out, std::uint32_t cp);

// Appends what an HTML entity ("&amp;", "&#x2014;") stands for.
void decode_entity(std::string& out, std::string_view entity);

} // namespace chatkit::chat::md
