#include "chatkit/chat/answer/citations.hpp"

#include <gtest/gtest.h>

using namespace chatkit::chat;

namespace {

// The text as a reader receives it when the model sends it in these pieces.
std::string streamed(const std::vector<std::string>& pieces, std::size_t given)
{
    auto check = citation_filter::checking(given);
    std::string out;
    for (const auto& p : pieces)
        out += check.feed(p);
    return out + check.finish();
}

std::string checked(std::string_view text, std::size_t given)
{
    return streamed({std::string(text)}, given);
}

} // namespace

TEST(citation_filter, a_citation_split_across_tokens_is_judged_whole)
{
    EXPECT_EQ(streamed({"Agents act", " [1", "2]", " and sense [", "1", "]."}, 3), "Agents act and sense [1].");
    EXPECT_EQ(streamed({"Agents act", " [1", "2]", " and sense [", "1", "]."}, 12), "Agents act [12] and sense [1].");

    // Every split of the text gives what the whole text gives.
    const std::string text = "Acting [1], sensing [7] and `a[0]` [2, 9].\n```\nx[3]\n```\n[03] done [1";
    const auto whole = checked(text, 3);
    EXPECT_EQ(whole, "Acting [1], sensing and `a[0]` [2].\n```\nx[3]\n```\n[03] done [1");
    for (std::size_t a = 0; a <= text.size(); ++a)
        for (std::size_t b = a; b <= text.size(); b += 3)
            ASSERT_EQ(streamed({text.substr(0, a), text.substr(a, b - a), text.substr(b)}, 3), whole)
                << "split at " << a << " and " << b;
}

TEST(citation_filter, holds_back_only_what_could_still_become_a_citation)
{
    auto check = citation_filter::checking(2);
    EXPECT_EQ(check.feed("Agents act [1"), "Agents act") << "\" [1\" may yet be [12]";
    EXPECT_EQ(check.feed("]. Robots"), " [1]. Robots");
    EXPECT_EQ(check.feed(" [x"), " [x") << "a letter ends any chance of a citation";
    EXPECT_EQ(check.feed("] [1,"), "]") << "\" [1,\" may yet be [1,2]";
    EXPECT_EQ(check.feed("2]"), " [1,2]") << "kept as the model wrote it";
    EXPECT_EQ(check.finish(), "");
}

TEST(citation_filter, numbers_of_sources_not_given_are_removed_with_their_space)
{
    EXPECT_EQ(checked("Agents act [3]. They sense [2] and learn [1, 3].", 2),
              "Agents act. They sense [2] and learn [1].");
    EXPECT_EQ(checked("See [9] and [1]", 2), "See and [1]");
    EXPECT_EQ(checked("Nothing was given [1].", 0), "Nothing was given.");
    EXPECT_EQ(checked("Both [1][9][2] here, and [9] [2] there.", 2), "Both [1][2] here, and [2] there.");
    EXPECT_EQ(checked("See [9][1] here.", 2), "See [1] here.") << "a removed citation's space goes to the next one";
}

TEST(citation_filter, zero_names_no_source)
{
    EXPECT_EQ(checked("Counted from one [0].", 3), "Counted from one.");
    EXPECT_EQ(checked("Zero or one [0, 1].", 3), "Zero or one [1].");
    EXPECT_EQ(checked("Written [01].", 3), "Written [01].") << "a kept citation stays as the model wrote it";
}

TEST(citation_filter, nested_brackets_keep_their_outer_pair)
{
    EXPECT_EQ(checked("Twice [[1]].", 2), "Twice [[1]].");
    EXPECT_EQ(checked("Twice [[9]].", 2), "Twice [].");
    EXPECT_EQ(checked("Aside [see [9]] done.", 2), "Aside [see] done.");
    EXPECT_EQ(checked("Aside [see [2]] done.", 2), "Aside [see [2]] done.");
}

TEST(citation_filter, code_and_brackets_that_are_not_citations_stay_as_written)
{
    EXPECT_EQ(checked("Index with `a[0]` or `` b[9] `` [1].", 1), "Index with `a[0]` or `` b[9] `` [1].");
    EXPECT_EQ(checked("Call a[i] and m[key], [x], [], [ 1], [1 2] or [2024].", 1),
              "Call a[i] and m[key], [x], [], [ 1], [1 2] or [2024].");
    EXPECT_EQ(checked("Example [1]:\n\n```python\nrow = grid[7][0]\n  ```\nOutside again [7].\n", 1),
              "Example [1]:\n\n```python\nrow = grid[7][0]\n  ```\nOutside again.\n")
        << "an indented fence closes the block";
    EXPECT_EQ(checked("````md\n```\nx[4]\n```\n~~~\nt[5]\n````\nAfter [4].", 1),
              "````md\n```\nx[4]\n```\n~~~\nt[5]\n````\nAfter.")
        << "only a fence as long, of the same character, closes it";
    EXPECT_EQ(checked("A stray ` opens [9]\nbut its line ends it [9].", 1),
              "A stray ` opens [9]\nbut its line ends it.");
}

TEST(citation_filter, an_unfinished_citation_at_the_end_is_text)
{
    EXPECT_EQ(checked("Cut off [1", 1), "Cut off [1");
    EXPECT_EQ(checked("Cut off [", 1), "Cut off [");
    EXPECT_EQ(checked("Trailing  ", 1), "Trailing  ");
}

TEST(citation_filter, cited_lists_kept_numbers_in_first_cited_order)
{
    auto check = citation_filter::checking(4);
    static_cast<void>(check.feed("B [3]. A [1, 9]. B again [3]. [4] `[2]`"));
    EXPECT_EQ(check.cited(), (std::vector<std::size_t>{3, 1, 4}));
}

TEST(cited_first, cited_sources_come_first_and_the_text_is_renumbered_to_match)
{
    auto r = cited_first("Sense [3]. Act [1, 3]. Code `v[3]`. Bogus [7].", 4);
    EXPECT_EQ(r.text, "Sense [1]. Act [2, 1]. Code `v[3]`. Bogus.");
    EXPECT_EQ(r.order, (std::vector<std::size_t>{3, 1, 2, 4}));
    EXPECT_EQ(r.cited, 2u);

    auto none = cited_first("Nothing cited.", 3);
    EXPECT_EQ(none.text, "Nothing cited.");
    EXPECT_EQ(none.order, (std::vector<std::size_t>{1, 2, 3}));
    EXPECT_EQ(none.cited, 0u);

    auto in_order = cited_first("First [1], then [2].", 2);
    EXPECT_EQ(in_order.text, "First [1], then [2].") << "an answer citing in order is unchanged";
}

TEST(without_citations, removes_every_citation_but_not_code)
{
    EXPECT_EQ(without_citations("Use the sqlite3 .backup command [1]. Then `a[1]` [2, 3]."),
              "Use the sqlite3 .backup command. Then `a[1]`.");
}
