#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/reranker.hpp"
#include "chatkit/chat/search/retriever.hpp"

#include "sample_pages.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

using namespace chatkit::chat;

namespace {

std::shared_ptr<const corpus> sample()
{
    auto c = std::make_shared<corpus>();
    c->add("files.md", chatkit::test::files_md, {});
    c->add("more.md", chatkit::test::more_files_md, {});
    return c;
}

const features& of(const std::vector<std::pair<hit, features>>& found, std::string_view title)
{
    for (const auto& [h, f] : found)
        if (h.doc->title == title)
            return f;
    throw std::runtime_error("not a candidate: " + std::string(title));
}

} // namespace

TEST(reranker, a_question_is_shaped_by_how_it_asks)
{
    EXPECT_TRUE(shape_of("How do I remove a folder?").how_to);
    EXPECT_FALSE(shape_of("How do I remove a folder?").conceptual);
    EXPECT_TRUE(shape_of("Why does my stream stop?").conceptual);
    EXPECT_TRUE(shape_of("what's the difference between spawn and exec").conceptual);
    auto keywords = shape_of("fs rm recursive");
    EXPECT_FALSE(keywords.how_to || keywords.conceptual);
}

TEST(reranker, the_chance_grows_with_the_match)
{
    features weak{}, strong{};
    weak[feature::bm25f] = 0.1;
    weak[feature::coverage] = 0.2;
    strong[feature::bm25f] = 0.6;
    strong[feature::coverage] = 0.9;
    strong[feature::heading_coverage] = 0.8;
    EXPECT_GT(relevance(strong), relevance(weak));
    auto how_to = strong;
    how_to[feature::api_heading] = how_to[feature::how_to_api] = 1;
    EXPECT_GT(relevance(how_to), relevance(strong)) << "an API heading answers a how-to question";
}

TEST(retriever, candidates_say_where_the_question_matched)
{
    retriever r(sample());
    auto found = r.candidates("read the entire contents of a file", 10);
    ASSERT_GE(found.size(), 3u);
    const auto& api = of(found, "fs.readFile(path, callback)");
    EXPECT_EQ(api[feature::api_heading], 1.0);
    EXPECT_GT(api[feature::in_heading], 0.0);
    EXPECT_GT(api[feature::heading_coverage], 0.0);
    EXPECT_GT(api[feature::phrases], 0.0) << "\"entire contents\" side by side in its lead";
    EXPECT_EQ(of(found, "fs.rm(path[, options])")[feature::phrases], 0.0);
    EXPECT_EQ(of(found, "Reading a file at once")[feature::api_heading], 0.0);
    EXPECT_GT(of(found, "Reading a file at once")[feature::page_evidence], 0.0) << "its page has other good candidates";
    for (std::size_t i = 1; i < found.size(); ++i)
        EXPECT_GE(found[i - 1].first.score, found[i].first.score) << "first-stage order";
}

TEST(retriever, an_api_heading_is_a_call_a_flag_or_a_dotted_name)
{
    auto c = std::make_shared<corpus>();
    c->add("setup.md", R"(# Setup

## new Worker(file)

Starts a worker on a file.

## --trace-file

Writes a trace of the file.

## worker.file

The file of the worker.

## Reading a file (once)

Reads a whole file.
)",
           {});
    retriever r(c);
    auto found = r.candidates("worker file", 10);
    ASSERT_EQ(found.size(), 4u);
    EXPECT_EQ(of(found, "new Worker(file)")[feature::api_heading], 1.0);
    EXPECT_EQ(of(found, "--trace-file")[feature::api_heading], 1.0);
    EXPECT_EQ(of(found, "worker.file")[feature::api_heading], 1.0);
    EXPECT_EQ(of(found, "Reading a file (once)")[feature::api_heading], 0.0) << "prose with an aside";
}

TEST(retriever, a_synonym_rarer_than_the_readers_words_stays_bounded)
{
    // The page title is in every section's trail, so the reader's word is
    // worth almost nothing and the synonym ("options") far more.
    std::string page = "# Configuration\n\n";
    for (int i = 0; i < 200; ++i)
        page += "## Setting " + std::to_string(i) + "\n\nA value.\n\n";
    page += "## Flags\n\nOptions options options for the config.\n";
    auto c = std::make_shared<corpus>();
    c->add("configuration.md", page, {});
    retriever r(c);
    for (const auto& [h, f] : r.candidates("configuration", 40))
        for (std::size_t i = 0; i < feature::count; ++i)
            EXPECT_LE(f[i], 1.2) << h.doc->title << " feature " << i;
    auto hits = r.search("configuration", 5);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc->title, "Flags");
    EXPECT_GT(hits[0].score, 0.0);
}

TEST(retriever, the_second_stage_scores_are_chances_best_first)
{
    retriever r(sample());
    auto hits = r.search("how do I read the entire contents of a file in chunks?", 5);
    ASSERT_GE(hits.size(), 2u);
    EXPECT_EQ(hits[0].doc->title, "Reading the entire contents of a file in chunks");
    for (std::size_t i = 1; i < hits.size(); ++i)
        EXPECT_GE(hits[i - 1].score, hits[i].score);
}
