#pragma once

#include <string_view>

namespace chatkit::chat {

// Debian's wamerican word list (/usr/share/dict/american-english on the build host),
// one word a line, built into the binary: answers must not change with
// whether the serving host has the package.
[[nodiscard]] std::string_view english_word_list();

} // namespace chatkit::chat
