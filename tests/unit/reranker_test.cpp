#include "chatkit/chat/corpus.hpp"
#include "chatkit/chat/query_words.hpp"
#include "chatkit/chat/reranker.hpp"
#include "chatkit/chat/retriever.hpp"
#include "chatkit/chat/terms.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace chatkit::chat;

namespace {

const char* files_md = R"(# Files

Reading and writing files.

## fs.readFile(path, callback)

Asynchronously reads the entire contents of a file. The callback gets the data.

## fs.rm(path[, options])

Removes files and directories.

## Rate limits

Anonymous visitors may ask ten questions a minute.
)";

const char* more_md = R"(# More files

## Reading the entire contents of a file in chunks

Read the entire contents of a file in chunks with a stream.

## Reading a file at once

Read the entire contents of a file into memory.

## Reading the entire contents of a file line by line

Read the entire contents of a file line by line.

## Building addons

Addons are compiled with Python 3 and a C++ compiler.

## Class: RangeError

Thrown when a value is outside the accepted range.
)";

std::shared_ptr<const corpus> sample()
{
    auto c = std::make_shared<corpus>();
    c->add("files.md", files_md, {});
    c->add("more.md", more_md, {});
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

TEST(reranker, relevance_is_a_chance_that_grows_with_the_match)
{
    features weak{}, strong{};
    weak[bm25f] = 0.1;
    weak[coverage] = 0.2;
    strong[bm25f] = 0.6;
    strong[coverage] = 0.9;
    strong[heading_coverage] = 0.8;
    for (const auto* f : {&weak, &strong}) {
        EXPECT_GT(relevance(*f), 0.0);
        EXPECT_LT(relevance(*f), 1.0);
    }
    EXPECT_GT(relevance(strong), relevance(weak));
    for (std::size_t i = 0; i < feature_count; ++i)
        EXPECT_STRNE(feature_name(i), "") << i;
}

TEST(retriever, candidates_say_where_the_question_matched)
{
    retriever r(sample());
    auto found = r.candidates("read the entire contents of a file", 10);
    ASSERT_GE(found.size(), 3u);
    const auto& api = of(found, "fs.readFile(path, callback)");
    EXPECT_EQ(api[api_heading], 1.0);
    EXPECT_GT(api[in_heading], 0.0);
    EXPECT_GT(api[heading_coverage], 0.0);
    EXPECT_GT(api[phrases], 0.0) << "\"entire contents\" side by side in its lead";
    EXPECT_EQ(of(found, "Reading a file at once")[api_heading], 0.0);
    EXPECT_GT(of(found, "Reading a file at once")[page_evidence], 0.0) << "its page has other good candidates";
    for (std::size_t i = 1; i < found.size(); ++i)
        EXPECT_GE(found[i - 1].first.score, found[i].first.score) << "first-stage order";
    EXPECT_EQ(found.front().second[rank_prior], 1.0);
}

TEST(retriever, the_second_stage_scores_are_chances_best_first)
{
    retriever r(sample());
    auto hits = r.search("how do I read the entire contents of a file in chunks?", 5);
    ASSERT_GE(hits.size(), 2u);
    EXPECT_EQ(hits[0].doc->title, "Reading the entire contents of a file in chunks");
    for (std::size_t i = 0; i < hits.size(); ++i) {
        EXPECT_GT(hits[i].score, 0.0);
        EXPECT_LT(hits[i].score, 1.0);
        if (i > 0) {
            EXPECT_GE(hits[i - 1].score, hits[i].score);
        }
    }
}

TEST(query_words, api_names_are_qualified_names_not_files_or_addresses)
{
    auto words =
        classify_words("Can fs.glob() read notes.txt from café.fr or 10.0.0.1, like `process.getBuiltinModule`?");
    std::vector<std::string> wholes;
    for (const auto& [whole, first] : words.api_names)
        wholes.push_back(whole);
    std::sort(wholes.begin(), wholes.end());
    std::vector<std::string> expected{terms_of("fs.glob").back(), terms_of("process.getBuiltinModule").back()};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(wholes, expected);
}

TEST(retriever, an_api_the_docs_lack_in_a_namespace_they_document_is_not_answered)
{
    retriever r(sample());
    EXPECT_TRUE(find_sources(r, "How do I use fs.glob to read files?", {}, 5).empty())
        << "fs is documented and fs.glob is not: another version's API";
    EXPECT_FALSE(find_sources(r, "How do I use fs.rm to remove files?", {}, 5).empty());
    EXPECT_FALSE(find_sources(r, "How do I read the entire contents of a file like db.save does?", {}, 5).empty())
        << "db is no namespace of these docs: the reader's own object";
}

TEST(retriever, a_flag_the_docs_lack_among_the_flags_they_document_is_not_answered)
{
    auto c = std::make_shared<corpus>();
    c->add("cli.md", R"(# Command-line options

Each flag below changes how the program runs.

## `--inspect[=port]`

Starts the inspector on the port, so a debugger can attach to the program.

## `--max-old-space-size=SIZE`

Sets the size of the old memory section of the heap.
)",
           {});
    retriever r(c);
    EXPECT_TRUE(find_sources(r, "How do I attach a debugger to my program with --inspect-wait?", {}, 5).empty())
        << "a flag of several words the docs do not document";
    EXPECT_FALSE(find_sources(r, "How do I attach a debugger to my program with --inspect=9229?", {}, 5).empty());
    EXPECT_FALSE(
        find_sources(r, "How big is the old memory section of the heap with --max-old-space-size?", {}, 5).empty());
    EXPECT_FALSE(find_sources(r, "How do I attach a debugger to my program with a --verbose flag?", {}, 5).empty())
        << "one word: as likely the reader's own program's flag";
    EXPECT_FALSE(
        find_sources(retriever(sample()), "How do I read the entire contents of a file with --read-all?", {}, 5)
            .empty())
        << "docs that document no flags say nothing about one";
}

TEST(retriever, a_name_the_docs_head_a_section_with_is_theirs)
{
    retriever r(sample());
    EXPECT_FALSE(find_sources(r, "RangeError: how do I read the entire contents of a file in chunks?", {}, 5).empty())
        << "RangeError is rare here, but a section is about it";
    EXPECT_TRUE(find_sources(r, "In Python, how do I read the entire contents of a file?", {}, 5).empty())
        << "Python is only mentioned in passing";
}

TEST(terms, a_negation_leaves_no_word_behind)
{
    EXPECT_EQ(terms_of("it isn't there and they aren't either"), terms_of("there either"));
    EXPECT_TRUE(is_stop_word("doesn"));
}
