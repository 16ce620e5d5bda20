#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The document model every consumer of the corpus reads: the index (clean
// text), the answer composer (structure) and the /docs pages (HTML). One
// CommonMark/GFM parse (md4c) fills it; nothing downstream sees Markdown
// syntax again.
namespace chatkit::chat::md {

enum style : std::uint8_t { plain = 0, code = 1, emphasis = 2, strong = 4, strike = 8 };

// A run of inline text with one style; links are runs with a target.
// Nested inline markup is flattened: what matters downstream is whether a
// run is code, emphasised, or a link.
struct span {
    std::string text;
    std::string href;
    std::uint8_t styles = plain;
};
using inlines = std::vector<span>;

enum class block_kind : std::uint8_t { heading, paragraph, list, code, table, quote, aside, rule };

struct block {
    block_kind kind = block_kind::paragraph;
    int level = 0;        // heading: 1-6
    bool ordered = false; // list
    unsigned start = 1;   // ordered list: its first number
    inlines text;         // heading, paragraph
    std::string id;       // heading: explicit `{#id}` from the source, else the anchor assigned by the corpus
    std::string code;     // code block: its text, ending in a newline
    std::string lang;     // code block: the first word of the fence's info string
    std::string label;    // aside: "Note", "Warning", a tab's name, an admonition's title
    std::vector<std::vector<block>> items;  // list: one block list per item
    std::vector<std::vector<inlines>> rows; // table: rows of cells, the header first
    std::vector<block> children;            // quote, aside
};

[[nodiscard]] inline block make_block(block_kind kind)
{
    block b;
    b.kind = kind;
    return b;
}

// Parses CommonMark with the GitHub extensions (tables, strikethrough,
// autolinks, task lists). Raw HTML blocks and inline tags are dropped (their
// text between tags stays), images are dropped, entities are decoded, and a
// trailing `{#id}` / `{ #id .class }` on a heading becomes its explicit id.
[[nodiscard]] std::vector<block> parse(std::string_view markdown);

// The text of inline runs without markup.
[[nodiscard]] std::string text_of(const inlines& runs);

// Clean text of blocks for the index and excerpts: prose, list items and
// table cells separated by spaces; code blocks only when `with_code`.
[[nodiscard]] std::string plain_text(std::span<const block> blocks, bool with_code);

// Replaces every invalid UTF-8 sequence with U+FFFD. Returns how many
// replacements were made.
std::size_t repair_utf8(std::string& text);

} // namespace chatkit::chat::md
