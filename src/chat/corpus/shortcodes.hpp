#pragma once

#include <string>
#include <string_view>

namespace chatkit::chat {

// A line of prose as the site shows it, without the syntax its generator
// reads: Hugo's template calls become what they render as far as the text
// alone tells (`{{< glossary_tooltip text="Pods" ... >}}` its text, else
// its term_id, else the sample file= it embeds; `{{< note >}}` nothing, so
// a paired call's body stays), an escaped call (`{{</* x */>}}`) shows as
// written, mdBook's preprocessor calls (`{{#include ../x.rs}}`) go, and so
// do HTML comments (mdBook's "<!-- ignore -->" after a link), attribute
// lists outside headings ("[Subscribe](#){ .md-button }"), and Jinja,
// Nunjucks and Liquid tags and expressions ("{% raw %}", "{{ tabs(x) }}"). Inline code
// spans are left as they are. A hand-written scanner: std::regex recurses
// per character and a long line would overflow the stack.
[[nodiscard]] std::string resolve_site_syntax(std::string_view line);

// Whether a template call or an HTML comment opens on this line, outside
// code spans, and does not close on it (a paragraph wrapped inside it).
[[nodiscard]] bool opens_site_syntax(std::string_view line);

} // namespace chatkit::chat
