#include "chatkit/chat/builtin_generator.hpp"
#include "chatkit/chat/corpus.hpp"
#include "chatkit/chat/retriever.hpp"

#include <gtest/gtest.h>

using namespace chatkit::chat;

namespace {

const char* guide = R"(# Getting started

ChatKit answers questions from your documentation.

## Install

Run the install script. It builds the server.

```sh
# not a heading inside a fence
make install
```

## Install

A second section with the same heading gets its own id.

### Tuning

Set THREADS to the number of cores.
)";

} // namespace

TEST(sections, split_at_headings_with_stable_unique_ids)
{
    auto s = split_sections("guide/start.md", guide, "/docs/");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].id, "guide-start#getting-started");
    EXPECT_EQ(s[0].url, "/docs/guide/start#getting-started");
    EXPECT_EQ(s[1].id, "guide-start#install");
    EXPECT_NE(s[1].text.find("not a heading inside a fence"), std::string::npos);
    EXPECT_EQ(s[2].id, "guide-start#install-2");
    EXPECT_EQ(s[3].title, "Tuning");
    EXPECT_EQ(split_sections("guide/start.md", guide, "/docs/")[2].id, s[2].id) << "ids are stable";
}

TEST(sections, preamble_takes_the_document_title_and_markup_is_removed)
{
    auto s = split_sections(
        "a.md", "Intro text with **bold** and [a link](http://x) and ![img](y.png).\n\n# Title\n\nBody.\n", "/d/");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].id, "a#intro");
    EXPECT_EQ(s[0].plain, "Intro text with bold and a link and .");
    EXPECT_EQ(s[0].title, "Title");
}

TEST(excerpt, cuts_at_words_and_never_splits_utf8)
{
    std::string text;
    for (int i = 0; i < 80; ++i)
        text += "\xC3\xA9t\xC3\xA9 ";
    auto e = excerpt(text, 200);
    EXPECT_LE(e.size(), 200u);
    EXPECT_TRUE(e.ends_with("\xE2\x80\xA6"));
    EXPECT_EQ(excerpt("short", 200), "short");
}

TEST(retriever, ranks_relevant_sections_first_with_scores_in_range)
{
    std::vector<section> docs;
    for (auto& s : split_sections("guide/start.md", guide, "/docs/"))
        docs.push_back(s);
    docs.push_back({"x#y", "Embodied AI", "/docs/x#y", "", "Embodied AI studies agents with bodies that act."});
    retriever r(docs);
    auto hits = r.search("What is embodied AI?", 5);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc->id, "x#y");
    for (auto& h : hits) {
        EXPECT_GE(h.score, 0.0);
        EXPECT_LE(h.score, 1.0);
    }
    auto install = r.search("how to install the server", 5);
    ASSERT_FALSE(install.empty());
    EXPECT_EQ(install[0].doc->title, "Install");
    EXPECT_TRUE(r.search("zebra quantum", 5).empty());
    EXPECT_LE(r.search("install section", 1).size(), 1u);
}

TEST(retriever, tokenizer_drops_stop_words_and_plurals)
{
    EXPECT_EQ(tokenize("What are the Sessions?"), (std::vector<std::string>{"session"}));
    EXPECT_EQ(tokenize("policies"), (std::vector<std::string>{"policy"}));
}

TEST(builtin_generator, answers_from_passages_with_citations)
{
    section doc{"d#1", "Rate limits", "/docs/d#1", "",
                "Anonymous visitors may ask ten questions a minute. Verified users get thirty. The sky is blue."};
    grounding g{"How many questions can anonymous visitors ask?", "browse", "", {{&doc, 0.8}}};
    auto answer = builtin_generator::compose(g);
    EXPECT_NE(answer.find("Anonymous visitors may ask ten questions a minute. [1]"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("sky"), std::string::npos);
}

TEST(builtin_generator, says_so_when_nothing_relevant_was_found)
{
    section doc{"d#1", "Other", "/docs/d#1", "", "Completely unrelated words."};
    grounding g{"How do quokkas sleep?", "browse", "", {{&doc, 0.05}}};
    EXPECT_NE(builtin_generator::compose(g).find("could not find"), std::string::npos);
    EXPECT_NE(builtin_generator::compose({"anything", "browse", "", {}}).find("could not find"), std::string::npos);
}

TEST(builtin_generator, chat_mode_grounds_on_the_selection_first)
{
    section doc{"d#1", "Doc", "/docs/d#1", "", "Widgets have themes."};
    grounding g{
        "What does this selection say about themes?", "chat", "The dark theme uses a black background.", {{&doc, 0.5}}};
    auto answer = builtin_generator::compose(g);
    EXPECT_EQ(answer.rfind("From the passage you selected: The dark theme", 0), 0u) << answer;
}

TEST(word_tokens, concatenate_back_to_the_text)
{
    std::string text = "Line one.\nLine  two, with\r\n\"quotes\" and event: x";
    std::string joined;
    for (auto& t : word_tokens(text))
        joined += t;
    EXPECT_EQ(joined, text);
}

TEST(plain_text, keeps_text_that_only_looks_like_markup)
{
    EXPECT_EQ(plain_text("Set SECRET_KEY when a > b in C# | really"), "Set SECRET_KEY when a > b in C# really");
    EXPECT_EQ(plain_text("> quoted\n- item one\n# Title\nuse `code` and **bold**"),
              "quoted item one Title use code and bold");
    EXPECT_EQ(plain_text("<script>alert(1)</script>"), "<script>alert(1)</script>");
}
