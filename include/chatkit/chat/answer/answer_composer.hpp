#pragma once

#include "chatkit/chat/answer/generator.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace chatkit::chat {

// The built-in generator's answer, extracted from the sources without a
// model, as Markdown: the best section's heading when it names an API, its
// lead sentence and the sentences that share the question's words, the list
// items and table rows that do, and its most relevant short code example,
// each passage cited [n]; then one "See also" line for a second section that
// scores close to the first. In chat mode the reader's selection comes
// first. With no sources it says plainly that the documentation does not
// cover the question.
[[nodiscard]] std::string compose_answer(const grounding& g);

// Splits Markdown prose into sentences. A period ends a sentence only when
// whitespace and a capital, digit or markup follows, never inside `code`,
// and never after an abbreviation ("e.g.", "i.e.", "etc.", "vs.").
[[nodiscard]] std::vector<std::string> sentences_of(std::string_view markdown);

} // namespace chatkit::chat
