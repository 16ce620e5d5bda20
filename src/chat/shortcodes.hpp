#pragma once

#include <string>
#include <string_view>

namespace chatkit::chat {

// A line of prose with the template calls of Hugo and mdBook resolved as
// far as the text alone allows: `{{< glossary_tooltip text="Pods" ... >}}`
// becomes its text (or its term_id, or the name of the sample file it
// embeds), a call without any (`{{< note >}}`, `{{#include ../x.rs}}`) goes,
// so its markers never reach an answer while a paired call's body stays.
// Escaped calls (`{{</* x */>}}`) are shown as the site shows them.
[[nodiscard]] std::string resolve_shortcodes(std::string line);

// Whether a call or an HTML comment opens on this line and closes on a
// later one (a paragraph wrapped inside it).
[[nodiscard]] bool opens_call(std::string_view line);

// A line of prose without its HTML comments (mdBook's "<!-- ignore -->"
// after a link, which md4c keeps as text when it follows a reference link).
[[nodiscard]] std::string without_comments(std::string line);

} // namespace chatkit::chat
