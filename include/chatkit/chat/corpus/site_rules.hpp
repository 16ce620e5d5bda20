#pragma once

#include "chatkit/chat/corpus/markdown_page.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chatkit::chat {

// The static-site generator that publishes the corpus (CORPUS_SITE). It
// decides a page's URL path and its heading anchors, so that a source URL is
// exactly the page and heading on the published site (docs/configuration.md
// states each rule).
enum class site_kind { plain, mkdocs, docusaurus };

[[nodiscard]] std::optional<site_kind> parse_site_kind(std::string_view name);

// The URL path of a page relative to CORPUS_URL_PREFIX:
//   plain       the file's path as is ("guide/setup.md"): a repository view
//               such as GitHub's blob pages, and this server's /docs/.
//   mkdocs      directory URLs: "guide/setup.md" -> "guide/setup/",
//               "guide/index.md" and "guide/README.md" -> "guide/".
//   docusaurus  "guide/setup.md" -> "guide/setup"; number prefixes ("01-")
//               dropped; index, README and a file named as its folder ->
//               the folder; front matter `id` replaces the file name and
//               `slug` replaces the path (absolute, or relative to the folder).
[[nodiscard]] std::string page_path(site_kind site, const std::string& relative_path, const front_matter& meta);

// A page path as it goes into a URL: each byte that may not stand in a path
// segment percent-encoded ("C# tips.md" -> "C%23%20tips.md"), '/' kept.
[[nodiscard]] std::string url_path_encode(std::string_view path);

// Heading anchors of one page, in document order. An explicit id wins;
// otherwise the generator's slug of the heading text, made unique the way
// that generator does it.
//   plain, docusaurus  GitHub's rule (github-slugger): lower case, ASCII and
//                      Unicode punctuation, symbols and emoji removed, each
//                      space a '-'; repeats get "-1", "-2".
//   mkdocs             Python-Markdown's toc: accents folded to ASCII, what is
//                      not a word character, space or '-' removed, runs of
//                      spaces and '-' one '-'; repeats get "_1", "_2".
class anchor_slugger {
public:
    explicit anchor_slugger(site_kind site) : site_(site) {}
    // Explicit ids are taken before any heading is numbered (as
    // Python-Markdown's toc does), so a generated one never repeats them.
    void reserve(std::string_view explicit_id);
    std::string next(std::string_view heading_text, std::string_view explicit_id);

private:
    site_kind site_;
    std::map<std::string, int, std::less<>> used_;
};

} // namespace chatkit::chat
