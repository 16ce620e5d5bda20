#pragma once

#include "chatkit/chat/corpus/corpus.hpp"

#include <string>

namespace chatkit::chat {

// A corpus page as an HTML fragment for /docs: every text escaped, headings
// with the ids that source URLs point at, links kept only when they lead to
// an http(s) URL, a fragment of this page or another page of the corpus
// (resolved to its URL). Raw HTML from the corpus is never emitted (the
// parse already dropped it).
[[nodiscard]] std::string page_html(const corpus& c, const page& p);

// An answer's Markdown as an HTML fragment under the same rules (the shared
// conversation page): every text escaped, raw HTML and images dropped,
// headings from <h4> down without anchors, links kept only where
// answer_link says, each with rel="noopener noreferrer nofollow".
[[nodiscard]] std::string answer_html(std::string_view markdown, bool local_links);

// Where a link in an answer (or an answer's source) may lead: an http(s)
// URL, or a root-relative path ("/docs/x") when `local_links` (the server
// serves those pages itself); empty for anything else, and for any href
// holding an ASCII control character or a space, which a browser would drop
// before reading it ("/\t/evil.example" is "//evil.example").
[[nodiscard]] std::string answer_link(std::string_view href, bool local_links);

// Escapes text for HTML element content and attribute values.
[[nodiscard]] std::string html_escape(std::string_view text);

} // namespace chatkit::chat
