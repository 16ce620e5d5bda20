#pragma once

#include <string>
#include <string_view>

namespace chatkit::chat::md {

// Removes what a site's code renderer reads and a reader never sees:
// Docusaurus's highlight magic comments (a line "// highlight-next-line",
// "highlight-start", "highlight-end", in any comment syntax), Shiki and
// VitePress's notations ("// [!code ++]", "[!code focus]") at the end of a
// line, and the lines mdBook hides in Rust samples ("# fn main() {").
void strip_code_annotations(std::string& code, std::string_view lang);

} // namespace chatkit::chat::md
