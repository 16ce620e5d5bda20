#pragma once

#include <string_view>

namespace chatkit::chat {

// Whether a lowercase word is ordinary English, by Debian's wamerican word
// list built into the binary (english_words.hpp). A question's word the
// corpus lacks is weak evidence of another topic when it is ordinary
// English ("sluggish", "nobody") and strong when it is not ("nginx",
// "asyncio").
// A word the list has only capitalised ("Kilimanjaro", "Java", "PostgreSQL")
// is a proper noun: a name, not ordinary English.
[[nodiscard]] bool is_english_word(std::string_view lowered);
// Listed only capitalised: a name the list knows, never a typo.
[[nodiscard]] bool is_proper_noun(std::string_view lowered);

} // namespace chatkit::chat
