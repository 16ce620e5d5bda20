#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace chatkit::chat {

// One section of a Markdown document: the text under one heading.
struct section {
    std::string id;    // stable: "<path-slug>#<heading-slug>", unique in the corpus
    std::string title; // the heading, or the document's first heading for its preamble
    std::string url;   // url_prefix + path without .md + "#" + heading slug
    std::string text;  // Markdown source of the section body
    std::string plain; // the text without Markdown syntax, for excerpts and answers
};

// Splits one Markdown document into sections at #, ## and ### headings
// (fenced code blocks are not scanned for headings). `relative_path` is the
// file's path inside the corpus folder, with '/' separators.
std::vector<section> split_sections(const std::string& relative_path, const std::string& markdown,
                                    const std::string& url_prefix);

// Every *.md file under `dir`, sorted by path so ids and order are stable.
// Throws std::runtime_error when the folder cannot be read.
std::vector<section> load_corpus(const std::filesystem::path& dir, const std::string& url_prefix);

// Lower-case ASCII slug: letters and digits, runs of anything else as '-'.
[[nodiscard]] std::string slugify(std::string_view text);

// Markdown markup removed (emphasis, code fences; links keep their text,
// images are dropped); whitespace collapsed. HTML stays as text: documentation
// about HTML must keep its tags, and clients render answers as text.
[[nodiscard]] std::string plain_text(std::string_view markdown);

// At most `max` bytes of `text`, cut at a word boundary on a UTF-8 character
// boundary, with "…" when cut.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max = 200);

} // namespace chatkit::chat
