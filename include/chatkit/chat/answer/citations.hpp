#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::chat {

// Checks and renumbers an answer's citations while it streams. A citation is
// `[n]` or `[n, m, ...]` with numbers of one to three digits, outside
// Markdown code (spans, which end at their line's end at the latest, and
// fenced blocks), so `a[0]` in code and "[2024]" stay as written; an index
// written as prose, outside backticks, reads as a citation. Text arrives in
// pieces split anywhere ("[1" then "2]"):
// feed() releases everything except what could still become a citation,
// which is an open "[" with the digits and commas after it, and the spaces
// before it (a removed citation takes its leading spaces with it, so
// "acting [9]." becomes "acting.").
class citation_filter {
public:
    // `renumber[n - 1]` is what citation n becomes; 0, or a number past the
    // table, removes it. A bracket left with no number is removed whole.
    explicit citation_filter(std::vector<std::size_t> renumber);
    // Keeps [1] to [given] as written and removes every other number.
    [[nodiscard]] static citation_filter checking(std::size_t given);

    [[nodiscard]] std::string feed(std::string_view text);
    // What was held back, at the end of the answer: an unclosed "[1" is text.
    [[nodiscard]] std::string finish();
    // The numbers kept so far, as renumbered, in the order first cited.
    [[nodiscard]] const std::vector<std::size_t>& cited() const { return cited_; }

private:
    void put(char c, std::string& out);
    void end_run();
    void release(std::string& out);
    void resolve(std::string& out);

    std::vector<std::size_t> renumber_;
    std::vector<std::size_t> cited_;
    std::string held_;               // spaces, then maybe "[" and what followed it
    std::string dropped_;            // the spaces of a citation just removed
    bool bracket_ = false;           // held_ holds an open "["
    bool line_start_ = true;         // nothing but spaces yet on this line
    char run_char_ = 0;              // the backtick or tilde run being read
    std::size_t run_ = 0;            // its length so far
    bool run_at_line_start_ = false; // a run of three or more there is a fence
    char fence_char_ = 0;
    std::size_t fence_ = 0; // inside a fenced block opened by this many fence_char_
    std::size_t span_ = 0;  // inside a code span opened by this many backticks
};

// The text without any citation: an earlier answer's "[2]" named a source of
// its own list, not of the next answer's.
[[nodiscard]] std::string without_citations(std::string_view text);

// An answer renumbered so that the sources it cites come first, in the order
// it first cites them; the uncited keep their order after those. `order[i]`
// is the old number of the source numbered i + 1 now; `cited` how many of
// them the answer cites. Citations of numbers past `sources` are removed.
struct cited_order {
    std::string text;
    std::vector<std::size_t> order;
    std::size_t cited = 0;
};
[[nodiscard]] cited_order cited_first(std::string_view text, std::size_t sources);

} // namespace chatkit::chat
