#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::chat {

// Index and query terms of a text. Words are lower-cased and stemmed with
// Snowball's English stemmer; stop words are dropped. An identifier also
// yields its parts and itself whole, so that "readFile", "read file" and
// "fs.readFile" meet: "fs.readFile" -> fs, readfil(e), read, file,
// "fs.readfile"; "ERR_REQUIRE_ESM" -> err, requir(e), esm, "err_require_esm";
// "--max-old-space-size" -> max, old, space, size, "max-old-space-size".
// Non-ASCII bytes stay inside words, so other scripts match themselves.
// `fix`, when given, sees each lower-cased word before it is stemmed (a
// spelling correction).
using word_fixer = std::function<std::string(const std::string& lowered_word)>;
[[nodiscard]] std::vector<std::string> terms_of(std::string_view text, const word_fixer& fix = {});

// The lower-cased words of a text as written (no stemming, stop words kept):
// the vocabulary a spelling correction chooses from.
void words_of(std::string_view text, const std::function<void(std::string_view lowered_word)>& each);

// Alternative terms for a query term that documentation tends to use
// instead (folder -> directory, delete -> remove), from a fixed general
// table of software-documentation vocabulary; empty when none.
[[nodiscard]] const std::vector<std::string>& alternatives_of(const std::string& term);

// The stem terms_of gives a lower-cased word.
[[nodiscard]] std::string stem_of(const std::string& lowered_word);

// The stems of the other regular forms and spellings of a lower-cased word
// ("embed": embed, of "embedding", since Snowball stems "embed" itself to
// "emb"; "colors": colour), without its own stem. Many are no word at all:
// a caller keeps those its corpus holds.
[[nodiscard]] std::vector<std::string> other_form_stems(const std::string& lowered_word);

// Whether a byte belongs to a word: ASCII letters and digits, and every
// byte of a non-ASCII character.
[[nodiscard]] bool word_char(unsigned char c);
// `text` with Unicode punctuation ("—", "“", "«", "…", a no-break space)
// as spaces, and soft hyphens and zero-width joiners removed: word_char()
// takes every non-ASCII byte for a letter, and a dash is no word (it made
// "Error — how" a question about a name).
[[nodiscard]] std::string punctuation_as_spaces(std::string_view text);

// Whether a lower-cased word is one of the stop words terms_of drops.
[[nodiscard]] bool is_stop_word(std::string_view lowered_word);

} // namespace chatkit::chat
