#pragma once

#include "chatkit/chat/corpus/markdown.hpp"

#include <string>

// Writes parsed blocks back as plain CommonMark for answers: only the
// constructs every client renders (paragraphs, bullet and numbered lists,
// fenced code, pipe tables, emphasis, inline code, absolute links), never a
// site generator's dialect or raw HTML.
namespace chatkit::chat::md {

// Inline runs as Markdown. Links keep their target only when it is an
// absolute http(s) URL; a relative one would resolve against the page the
// answer is shown on. Characters that would start markup in plain text are
// escaped with a backslash.
[[nodiscard]] std::string to_markdown(const inlines& runs);

// One block as Markdown lines, each prefixed by `indent` (for nesting),
// without a trailing blank line.
[[nodiscard]] std::string to_markdown(const block& b, const std::string& indent = {});

// A fenced code block: the fence is longer than any backtick run inside.
[[nodiscard]] std::string fenced(const std::string& code, const std::string& lang, const std::string& indent = {});

} // namespace chatkit::chat::md
