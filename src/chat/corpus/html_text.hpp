#pragma once

#include "chatkit/chat/corpus/markdown.hpp"

#include <string_view>
#include <vector>

namespace chatkit::chat::md {

// The text a reader sees in a raw HTML block of a Markdown page (mdBook's
// man pages keep every option in a <dl>, READMEs wrap notes in <details>):
// one paragraph per block element, <code> as code, entities decoded; tags,
// comments and what <script>, <style>, <svg>, <template> and <iframe> hold
// are dropped. A hand-written scanner, as for site syntax: no recursion.
[[nodiscard]] std::vector<inlines> html_paragraphs(std::string_view html);

} // namespace chatkit::chat::md
