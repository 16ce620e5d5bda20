#pragma once

#include "chatkit/chat/corpus/markdown.hpp"
#include "chatkit/chat/corpus/site_rules.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace chatkit::chat {

// One Markdown file of the corpus, parsed once.
struct page {
    std::string path;              // inside the corpus folder, '/'-separated ("guide/setup.md")
    std::string title;             // front matter title, else the first heading, else the file name
    std::string url;               // CORPUS_URL_PREFIX + the site's page path
    std::vector<md::block> blocks; // headings carry their anchors in `id`
};

// The text under one heading, up to the next heading of any level.
struct section {
    std::string id;                 // stable and unique: "<path-slug>#<anchor>" ("#intro" before the first heading)
    std::string title;              // its heading; the page title for the text before the first heading
    std::vector<std::string> trail; // the page title and the headings above this one, outermost first
    std::string url;                // the page URL, plus "#anchor" for a heading
    const page* source = nullptr;
    std::span<const md::block> body; // the blocks under the heading, in `source`
    std::string lead;                // the body's first paragraph: what the section is about, in its own words
    std::string plain;               // clean prose of the whole body (lists, tables, asides included; code not)
    std::string code;                // the body's code blocks
};

struct corpus_options {
    std::string url_prefix = "/docs/";
    site_kind site = site_kind::plain;
};

// An immutable parsed corpus: pages and their sections. Sections point into
// pages, so it is neither copied nor moved; share it by shared_ptr.
class corpus {
public:
    corpus() = default;
    corpus(const corpus&) = delete;
    corpus& operator=(const corpus&) = delete;

    // Adds one file's text (`relative_path` inside the corpus). Invalid
    // UTF-8 is replaced by U+FFFD, so nothing downstream (JSON, SSE, SQL)
    // sees it; returns the number of replacements. Only while building.
    std::size_t add(const std::string& relative_path, std::string text, const corpus_options& options,
                    const include_reader& read = {});

    [[nodiscard]] const std::vector<section>& sections() const { return sections_; }
    [[nodiscard]] const std::vector<std::unique_ptr<page>>& pages() const { return pages_; }
    // The page published at `url` (without fragment), or null.
    [[nodiscard]] const page* find_page(std::string_view url) const;
    // The page of the file at `path` inside the corpus, or null.
    [[nodiscard]] const page* page_at(std::string_view path) const;

    // The pictures its pages show (.png, .jpg, .jpeg, .gif, .svg, .webp up to
    // 10 MB), by path inside the corpus, as load_corpus found them: only
    // these can be served, whatever a URL says. Only while building.
    void add_image(std::string relative_path, std::filesystem::path file);
    // The file of the picture at `path` inside the corpus, or null.
    [[nodiscard]] const std::filesystem::path* image_at(std::string_view path) const;
    [[nodiscard]] static bool is_image(const std::filesystem::path& p);
    static constexpr std::uintmax_t max_image_bytes = 10 << 20;

private:
    std::vector<std::unique_ptr<page>> pages_;
    std::vector<section> sections_;
    std::map<std::string, const page*, std::less<>> by_url_;
    std::map<std::string, const page*, std::less<>> by_path_;
    std::set<std::string> ids_;
    std::map<std::string, std::filesystem::path, std::less<>> images_;
};

// Every Markdown file (.md, .markdown, .mdx) under `dir`, sorted by path so
// ids and order are stable. Throws std::runtime_error when the folder cannot
// be read. Files that are not valid UTF-8 are repaired and named in the log.
[[nodiscard]] std::shared_ptr<const corpus> load_corpus(const std::filesystem::path& dir,
                                                        const corpus_options& options);

// What the files under `dir` are (paths, sizes, modification times), as a
// text that changes whenever one is added, removed or written: compared to
// decide whether a reload is due.
[[nodiscard]] std::string corpus_fingerprint(const std::filesystem::path& dir);

// Lower-case ASCII slug: letters and digits, runs of anything else as '-'.
[[nodiscard]] std::string slugify(std::string_view text);

// At most `max` bytes of `text`, cut at a word boundary on a UTF-8 character
// boundary, with "…" when cut.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max = 200);

} // namespace chatkit::chat
