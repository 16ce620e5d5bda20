#pragma once

#include "chatkit/chat/corpus/markdown.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace chatkit::chat {

// What a page says about itself in its YAML front matter.
struct front_matter {
    std::string title;
    std::string slug;            // Docusaurus: the page's URL path, absolute or relative to its folder
    std::string id;              // Docusaurus: replaces the file name in the URL
    bool search_exclude = false; // MkDocs Material `search: exclude: true`: served, never searched nor cited
};

struct page_source {
    front_matter meta;
    std::vector<md::block> blocks;
};

// Reads a file by its path inside the corpus ('/'-separated, normalised, never
// starting with ".."); nullopt when it does not exist there.
using include_reader = std::function<std::optional<std::string>(const std::string& corpus_path)>;

// Parses one page as documentation sites write it, on top of CommonMark/GFM:
// YAML front matter; MkDocs (Material) admonitions `!!!`/`???`, content tabs
// `===` and pymdownx blocks `/// type | title`; Docusaurus admonitions
// `:::note[Title]`; include directives (`{* path *}`, `{!path!}`,
// `--8<-- "path"`), resolved against the page's folder, then the corpus root,
// and dropped when the file is not in the corpus; mkdocstrings `::: module`
// directives, MDX import/export lines and abbreviation definitions, dropped.
// Admonitions and tabs become `aside` blocks.
[[nodiscard]] page_source parse_page(std::string_view text, const std::string& relative_path,
                                     const include_reader& read);

// `base` joined with `target` and normalised ("a/b/../c" -> "a/c"); nullopt
// when the result leaves the root.
[[nodiscard]] std::optional<std::string> join_path(std::string_view base_dir, std::string_view target);

} // namespace chatkit::chat
