#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/english.hpp"
#include "chatkit/chat/search/query_words.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/terms.hpp"

#include "sample_pages.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace chatkit::chat;

// The relevance decision's rules about names (find_sources): which names a
// question may use that the docs do not hold, and which say "not covered".

namespace {

std::shared_ptr<const corpus> node_like()
{
    auto c = std::make_shared<corpus>();
    c->add("fs.md", R"(# File system

## fs.readFile(path, callback)

Asynchronously reads the entire contents of a file.

## fs.rm(path[, options])

Removes files and directories.

## fsPromises.readFile(path)

Reads the entire contents of a file, as a promise.
)",
           {});
    c->add("http.md", R"(# HTTP

## request.end([data])

Finishes sending the request body of the stream.

## response.write(chunk)

Sends a chunk of the response body.
)",
           {});
    c->add("more.md", chatkit::test::more_files_md, {});
    return c;
}

std::vector<std::string> api_wholes(std::string_view question)
{
    std::vector<std::string> out;
    for (const auto& [whole, first] : classify_words(question).api_names)
        out.push_back(whole);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST(query_words, api_names_are_two_part_qualified_names)
{
    std::vector<std::string> expected{terms_of("fs.glob").back(), terms_of("process.getBuiltinModule").back()};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(api_wholes("Can fs.glob() read notes.txt from example.org, like `process.getBuiltinModule`?"), expected)
        << "file names and addresses are not APIs";
    EXPECT_TRUE(api_wholes("How do I read process.env.NODE_ENV or fs.promises.readFile?").empty())
        << "longer chains name properties and values";
    EXPECT_TRUE(api_wholes("I pipe a stream.It fails with an error").empty()) << "a sentence that lost its space";
    EXPECT_EQ(api_wholes("use --env-file=.env or --verbose"), std::vector<std::string>{terms_of("--env-file").back()})
        << "a flag of several words; one word may be the reader's own";
}

TEST(query_words, a_typo_opening_a_question_is_no_name)
{
    EXPECT_TRUE(classify_words("Recieve data from a socket").written_as_names.empty());
    EXPECT_FALSE(classify_words("data from a Recieve socket").written_as_names.empty()) << "capitalised mid-sentence";
}

TEST(relevance, an_api_the_docs_lack_in_a_namespace_they_document_is_not_answered)
{
    retriever r(node_like());
    EXPECT_TRUE(find_sources(r, "How do I use fs.glob to read files?", {}, 5).empty())
        << "fs is documented on fs.md and fs.glob is not: another version's API";
    EXPECT_FALSE(find_sources(r, "How do I use fs.rm to remove files?", {}, 5).empty());
    EXPECT_FALSE(find_sources(r, "How do I read the entire contents of a file like db.save does?", {}, 5).empty())
        << "db is no namespace of these docs: the reader's own object";
    EXPECT_FALSE(find_sources(r, "How do I read the request.body of the stream?", {}, 5).empty())
        << "request is an instance on http.md, not a namespace";
    EXPECT_FALSE(find_sources(r, "How do I use fs.promises.readFile to read the entire contents?", {}, 5).empty());
}

TEST(relevance, a_flag_the_docs_lack_among_the_flags_they_document_is_not_answered)
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
        find_sources(retriever(node_like()), "How do I read the entire contents of a file with --read-all?", {}, 5)
            .empty())
        << "docs that document no flags say nothing about one";
}

TEST(relevance, a_name_the_docs_head_a_section_with_is_theirs)
{
    retriever r(node_like());
    EXPECT_FALSE(find_sources(r, "RangeError: how do I read the entire contents of a file in chunks?", {}, 5).empty())
        << "RangeError is rare here, but a section is about it";
    EXPECT_FALSE(find_sources(r, "how do I read the entire contents of a file without a regex?", {}, 5).empty())
        << "lower-case jargon the word list lacks is no product name";
}

namespace {

std::shared_ptr<const corpus> with_errors()
{
    auto c = std::make_shared<corpus>();
    c->add("net.md", R"(# Net

## server.listen()

Error: listen EADDRINUSE: address already in use is raised when another server already listens on the same port.
Wait a moment and call server.listen() again.
)",
           {});
    c->add("fs.md", chatkit::test::files_md, {});
    return c;
}

} // namespace

TEST(relevance, a_pasted_error_message_the_docs_hold_is_answered_whatever_else_it_names)
{
    retriever r(with_errors());
    auto found =
        find_sources(r, "Error: listen EADDRINUSE: address already in use -- my Django dev server on Kubuntu", {}, 5);
    ASSERT_FALSE(found.empty()) << "four words in a row of a section: the reader pasted it";
    EXPECT_EQ(found.front().doc->title, "server.listen()");
    EXPECT_TRUE(find_sources(r, "How do I configure my Django dev server on Kubuntu?", {}, 5).empty())
        << "the same names without the quote are another topic";
}

TEST(relevance, a_code_a_program_prints_that_the_docs_hold_is_answered_whatever_else_it_names)
{
    retriever r(with_errors());
    EXPECT_FALSE(find_sources(r, "EADDRINUSE when my Fastify app starts under nodemon", {}, 5).empty())
        << "an errno name the docs hold: the reader pasted what a program printed";
    EXPECT_TRUE(find_sources(r, "ECONNRESET when my Fastify app starts under nodemon", {}, 5).empty())
        << "one they do not hold proves nothing";
    EXPECT_TRUE(find_sources(r, "HTTPS when my Fastify app starts under nodemon", {}, 5).empty())
        << "capitals alone are no code";
    EXPECT_EQ(classify_words("Error [ERR_REQUIRE_ESM] on SIGTERM, E0752, TS2307, ENOENT; FATAL HTTPS ERROR E2E").codes,
              (std::vector<std::string>{"err_require_esm", "sigterm", "e0752", "ts2307", "enoent"}));
}

TEST(relevance, quoted_text_and_paths_are_the_readers_own_data_not_another_topic)
{
    retriever r(with_errors());
    EXPECT_FALSE(find_sources(r, "server listen fails for /srv/zqx/wombat-cache/blorp.sock", {}, 5).empty());
    EXPECT_FALSE(find_sources(r, "server listen fails with \"zqx wombat blorp fizzgig\"", {}, 5).empty());
    EXPECT_TRUE(find_sources(r, "server listen fails with zqx wombat blorp fizzgig", {}, 5).empty())
        << "the same words, unquoted, are the question's own and the docs lack them";
}

TEST(relevance, numbers_dashes_and_contractions_are_no_names)
{
    retriever r(with_errors());
    EXPECT_FALSE(find_sources(r, "server listen fails with address already in use on port 31337", {}, 5).empty())
        << "a number is the reader's own";
    EXPECT_FALSE(find_sources(r, "server listen \xE2\x80\x94 address in use \xE2\x80\x94 what now?", {}, 5).empty())
        << "an em dash is punctuation, not a word";
    EXPECT_EQ(terms_of("listen \xE2\x80\x94 \xC2\xAB"
                       "address\xC2\xBB"),
              terms_of("listen address"));
    EXPECT_EQ(punctuation_as_spaces("5\xC2\xB5s config\xC2\xADuration x\xC2\xB2"), "5\xC2\xB5s configuration x\xC2\xB2")
        << "micro and squared are letters, a soft hyphen joins";
    EXPECT_EQ(punctuation_as_spaces("a\xE2\x80"
                                    "b"),
              "a\xE2\x80"
              "b")
        << "a cut sequence is left alone";
    EXPECT_FALSE(find_sources(r, "the server doesnt listen, address already in use", {}, 5).empty())
        << "a contraction without its apostrophe is English";
    for (const char* w : {"doesnt", "ive", "whats", "thats"})
        EXPECT_TRUE(is_english_word(w) && !is_proper_noun(w)) << w;
    EXPECT_FALSE(is_english_word("carpets's"));
}
