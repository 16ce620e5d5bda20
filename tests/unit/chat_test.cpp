#include "chatkit/chat/answer/answer_composer.hpp"
#include "chatkit/chat/answer/builtin_generator.hpp"
#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/english.hpp"
#include "chatkit/chat/search/query_words.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/terms.hpp"

#include "sample_pages.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace chatkit::chat;

namespace {

const char* server_md = R"(# Server

## Rate limits

Anonymous visitors may ask ten questions a minute. Verified users get thirty. The sky is blue.

## Themes

!!! note "Dark mode"
    The dark theme uses a black background.
)";

std::shared_ptr<const corpus> sample()
{
    auto c = std::make_shared<corpus>();
    c->add("files.md", chatkit::test::files_md, {});
    c->add("server.md", server_md, {});
    return c;
}

const section& by_title(const corpus& c, std::string_view title)
{
    for (const auto& s : c.sections())
        if (s.title == title)
            return s;
    throw std::runtime_error("no section " + std::string(title));
}

} // namespace

TEST(terms, identifiers_meet_their_words)
{
    auto t = terms_of("fs.readFile");
    for (const char* expected : {"fs", "read", "file", "readfil"})
        EXPECT_NE(std::find(t.begin(), t.end(), expected), t.end()) << expected;
    EXPECT_EQ(terms_of("What are the sessions?"), (std::vector<std::string>{"session"}));
    auto flag = terms_of("--max-old-space-size");
    EXPECT_NE(std::find(flag.begin(), flag.end(), "space"), flag.end());
    EXPECT_EQ(terms_of("readfile"), terms_of("READFILE")) << "case does not matter";
}

TEST(terms, a_contraction_leaves_no_word_behind)
{
    EXPECT_EQ(terms_of("it isn't there and they aren't either"), terms_of("there either"));
    EXPECT_TRUE(is_stop_word("doesn"));
}

TEST(terms, synonyms_are_documentation_vocabulary)
{
    auto alts = alternatives_of(terms_of("folder").front());
    EXPECT_NE(std::find(alts.begin(), alts.end(), terms_of("directory").front()), alts.end());
    EXPECT_TRUE(alternatives_of("zebra").empty());
}

TEST(terms, a_word_meets_its_other_forms_and_spellings)
{
    ASSERT_TRUE(is_english_word("embed")) << "the word list built into the binary";
    auto has = [](const std::string& word, const std::string& form) {
        auto forms = other_form_stems(word);
        return std::find(forms.begin(), forms.end(), stem_of(form)) != forms.end();
    };
    ASSERT_NE(stem_of("embed"), stem_of("embedding")) << "Snowball stems them apart: the reason for other forms";
    EXPECT_TRUE(has("embed", "embedding"));
    EXPECT_TRUE(has("embedding", "embed"));
    EXPECT_TRUE(has("embeds", "embedded"));
    EXPECT_TRUE(has("colors", "colour")) << "American and British spellings";
    EXPECT_TRUE(has("normalize", "normalise"));
    EXPECT_TRUE(has("colours", "color")) << "the British spelling the word list lacks";
    EXPECT_FALSE(has("files", "fill"));
    EXPECT_FALSE(has("states", "stat"));
    EXPECT_FALSE(has("stat", "stated")) << "stated is state's";
    EXPECT_FALSE(has("news", "new")) << "Snowball stems them apart: other words";
    EXPECT_FALSE(has("modes", "mod"));
    EXPECT_FALSE(has("hop", "hoped"));
    EXPECT_TRUE(other_form_stems("http").empty()) << "not English: https is another name";
    EXPECT_TRUE(other_form_stems("cpu").empty()) << "nor cpus";
    auto own = other_form_stems("embedding");
    EXPECT_EQ(std::find(own.begin(), own.end(), stem_of("embedding")), own.end()) << "without its own stem";
}

TEST(retriever, finds_a_heading_in_another_form_of_the_readers_word)
{
    auto c = std::make_shared<corpus>();
    c->add("widget.md", R"(# The widget

## Embedding

Add one script tag and the element to the page.

## Theming

Set the colours with CSS custom properties.

## Storage

The server keeps its data in an embedded database.
)",
           {});
    retriever r(c);
    auto hits = r.search("How do I embed the widget?", 3);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc->title, "Embedding");
    EXPECT_EQ(r.lookup("embed the widget", 1).unknown_share, 0.0) << "embed is known through embedding";
    auto colors = r.search("change the widget colors", 3);
    ASSERT_FALSE(colors.empty());
    EXPECT_EQ(colors[0].doc->title, "Theming");
    EXPECT_EQ(r.lookup("widget colors", 1).unknown_share, 0.0) << "colors is known through colours";
    auto one = r.lookup("embedding the widget embed", 1), other = r.lookup("embed the widget embedding", 1);
    ASSERT_FALSE(one.hits.empty());
    ASSERT_FALSE(other.hits.empty());
    EXPECT_EQ(one.hits[0].doc, other.hits[0].doc);
    EXPECT_DOUBLE_EQ(one.hits[0].coverage, other.hits[0].coverage) << "the order of two forms does not matter";
}

TEST(retriever, ranks_the_section_that_answers_first)
{
    retriever r(sample());
    auto hits = r.search("how do I read the entire contents of a file?", 5);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc->title, "fs.readFile(path, callback)");
    for (auto& h : hits) {
        EXPECT_GE(h.score, 0.0);
        EXPECT_LE(h.score, 1.0);
        EXPECT_GE(h.coverage, 0.0);
        EXPECT_LE(h.coverage, 1.0);
    }
    EXPECT_EQ(r.search("wipe a folder", 1).at(0).doc->title, "fs.rm(path[, options])") << "synonyms";
    EXPECT_EQ(r.search("raed a file", 1).at(0).doc, r.search("read a file", 1).at(0).doc) << "a typo is corrected";
    EXPECT_EQ(r.lookup("raed a file", 1).unknown_share, 0.0);
    EXPECT_GT(r.lookup("banana file", 1).unknown_share, 0.3);
    EXPECT_LE(r.search("file", 1).size(), 1u);
}

TEST(retriever, an_api_heading_meets_the_words_its_compound_abbreviates)
{
    auto c = std::make_shared<corpus>();
    c->add("path.md", R"(# Path

## path.extname(path)

Returns the part of a name after the last period, as in `notes.ext`.

## path.basename(path)

Returns the last portion of a path: its name.

## path.sep

The segment separator of the platform.
)",
           {});
    retriever r(c);
    auto hits = r.search("get the extension of a name", 5);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc->title, "path.extname(path)") << "extname = ext + name, and ext stands for extension";
    EXPECT_EQ(r.search("the separator", 1).at(0).doc->title, "path.sep");
    EXPECT_TRUE(r.search("the platform's tension", 5).empty() || r.search("tension", 5).empty())
        << "only a word's beginning stands for it";
}

TEST(query_words, a_camel_case_identifier_is_kept_whole_as_written)
{
    auto words = classify_words("How do I use process.getBuiltinModule to load a module?");
    EXPECT_TRUE(words.identifiers.contains(terms_of("getBuiltinModule").back()));
    EXPECT_FALSE(words.identifiers.contains(terms_of("module").back())) << "a plain word is no identifier";
    EXPECT_TRUE(classify_words("the Extension of a path").identifiers.empty()) << "capitalised, not camelCase";
}

TEST(retriever, a_quoted_command_is_not_another_topic)
{
    retriever r(sample());
    EXPECT_EQ(r.lookup("read a file with 'ls -la'", 1).unknown_share, 0.0) << "two-letter flags are not topics";
    EXPECT_GT(r.lookup("read a file in kotlin", 1).unknown_share, 0.12);
}

TEST(retriever, questions_about_other_things_find_no_sources)
{
    retriever r(sample());
    EXPECT_TRUE(find_sources(r, "best recipe for banana bread", {}, 5).empty());
    EXPECT_TRUE(find_sources(r, "routing in Django urls.py", {}, 5).empty());
    EXPECT_TRUE(find_sources(r, "what is it?", {}, 5).empty()) << "nothing asked";
    auto found = find_sources(r, "how many questions can anonymous visitors ask?", {}, 5);
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found[0].doc->title, "Rate limits");
}

TEST(retriever, a_name_the_corpus_lacks_weighs_more_than_an_ordinary_word)
{
    retriever r(sample());
    ASSERT_TRUE(is_english_word("sluggish")) << "the word list built into the binary";
    EXPECT_FALSE(find_sources(r, "how many questions can anonymous visitors ask when sluggish?", {}, 5).empty())
        << "ordinary English the corpus does not use";
    EXPECT_TRUE(find_sources(r, "how many questions can anonymous visitors ask in Rails?", {}, 5).empty())
        << "a capitalised name mid-sentence";
    EXPECT_TRUE(find_sources(r, "how many questions can anonymous visitors ask with nodemon?", {}, 5).empty())
        << "a word that is not English";
    EXPECT_TRUE(find_sources(r, "how do I get wine stains out of a wool carpet?", {}, 5).empty())
        << "most of the question in words the corpus lacks";
}

TEST(retriever, a_proper_noun_is_a_name_however_it_is_written)
{
    retriever r(sample());
    ASSERT_TRUE(is_proper_noun("kilimanjaro")) << "the word list built into the binary";
    EXPECT_FALSE(is_english_word("kilimanjaro"));
    EXPECT_TRUE(is_english_word("python")) << "listed in lower case too: also ordinary English";
    EXPECT_TRUE(find_sources(r, "how many questions can anonymous visitors ask on kilimanjaro?", {}, 5).empty())
        << "listed only capitalised: a name the corpus lacks";
    EXPECT_FALSE(find_sources(r, "how many questions can anonymous visitors ask without an IDE?", {}, 5).empty())
        << "listed capitals written in capitals read as shouting, as before";
    EXPECT_GT(r.lookup("tell me about kilimanjaro", 1).unknown_share, 0.0) << "a proper noun is never a typo";
    EXPECT_FALSE(find_sources(r, "how many questions can anonymous visitors ask in French?", {}, 5).empty())
        << "a language asks for a translation, not about another product";
}

TEST(retriever, another_product_named_beside_what_the_corpus_covers_is_answered)
{
    auto c = std::make_shared<corpus>();
    c->add("files.md", chatkit::test::files_md, {});
    c->add("more.md", chatkit::test::more_files_md, {});
    retriever r(c);
    EXPECT_FALSE(find_sources(r, "Coming from Python, how do I read the entire contents of a file?", {}, 5).empty())
        << "the corpus says Python once, but covers reading files well";
    EXPECT_FALSE(find_sources(r, "Which Python do addons need?", {}, 5).empty());
    EXPECT_FALSE(find_sources(r, "how do I read the entire contents of `chunks.kotlin`?", {}, 5).empty())
        << "quoted text is the reader's data, not a name";
    EXPECT_FALSE(find_sources(r, "FATAL: read the entire contents of a file into memory at once", {}, 5).empty())
        << "shouting is not a name";
}

TEST(query_words, a_quantity_is_no_name)
{
    EXPECT_TRUE(classify_words("read a 5GB file in 2x time").name_terms.empty());
    EXPECT_FALSE(classify_words("read a file with Redis").name_terms.empty());
}

TEST(retriever, only_misspellings_are_corrected)
{
    retriever r(sample());
    EXPECT_EQ(r.lookup("fiels", 1).unknown_share, 0.0) << "not a word: corrected to files";
    EXPECT_GT(r.lookup("flies", 1).unknown_share, 0.0) << "an English word is what the reader meant";
    EXPECT_GT(r.lookup("read about Fiels here", 1).unknown_share, 0.0) << "a name is not a typo";
}

TEST(retriever, a_selection_steers_the_sources_but_not_the_relevance)
{
    retriever r(sample());
    auto steered = find_sources(r, "what does this setting do?", "MAX_DEPTH limits how deep files go", 5);
    ASSERT_FALSE(steered.empty());
    EXPECT_EQ(steered[0].doc->title, "Limits");
    EXPECT_TRUE(find_sources(r, "banana bread recipe", "files and directories", 5).empty());
}

TEST(sentences, split_only_where_a_sentence_ends)
{
    auto s = sentences_of("Use `a.b()` here, e.g. with `x`. It works. Version 1.2 is out! Is it? Yes.");
    EXPECT_EQ(s, (std::vector<std::string>{"Use `a.b()` here, e.g. with `x`.", "It works.", "Version 1.2 is out!",
                                           "Is it?", "Yes."}));
    EXPECT_EQ(sentences_of("See Node.js and i.e. this one."),
              (std::vector<std::string>{"See Node.js and i.e. this one."}));
    EXPECT_EQ(sentences_of("Use PostgreSQL ([Deployment, 2. PostgreSQL](deployment.md#2-postgresql)). Then start."),
              (std::vector<std::string>{"Use PostgreSQL ([Deployment, 2. PostgreSQL](deployment.md#2-postgresql)).",
                                        "Then start."}))
        << "no sentence ends inside a link or a parenthesis";
    EXPECT_EQ(sentences_of("1) Build (see step 2. Then run). Done."),
              (std::vector<std::string>{"1) Build (see step 2. Then run).", "Done."}))
        << "a closer without its opener counts for nothing";
    EXPECT_EQ(sentences_of("(See setuid(2).) The id can be a name."),
              (std::vector<std::string>{"(See setuid(2).)", "The id can be a name."}))
        << "a parenthesis that closes after a sentence ends it";
    EXPECT_EQ(sentences_of("A sad :-( face. Then more."), (std::vector<std::string>{"A sad :-( face.", "Then more."}))
        << "an opener never closed";
}

TEST(answer, holds_the_api_the_lead_the_matching_option_and_the_example)
{
    auto c = sample();
    retriever r(c);
    auto sources = find_sources(r, "How do I read a file with a text encoding?", {}, 5);
    ASSERT_FALSE(sources.empty());
    auto answer = compose_answer({"How do I read a file with a text encoding?", "browse", "", sources, false, {}});
    EXPECT_EQ(answer.rfind("`fs.readFile(path, callback)`: Asynchronously reads the entire contents of a file.", 0), 0u)
        << answer;
    EXPECT_NE(answer.find("[1]"), std::string::npos);
    EXPECT_NE(answer.find("- `options` {Object}\n  - `encoding` {string}"), std::string::npos)
        << "the matching option keeps its parent:\n"
        << answer;
    EXPECT_NE(answer.find("```js\nreadFile('/etc/hosts'"), std::string::npos) << answer;
}

TEST(answer, quotes_the_matching_table_rows_with_their_header)
{
    auto c = sample();
    retriever r(c);
    const auto& limits = by_title(*c, "Limits");
    auto answer = compose_answer({"what is the MAX_DEPTH default?", "browse", "", {{&limits, 1.0, 1.0}}, false, {}});
    EXPECT_NE(answer.find("| setting | default |\n| --- | --- |\n| `MAX_DEPTH` | 8 |"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("MAX_FILES"), std::string::npos) << answer;
}

TEST(answer, leaves_out_sentences_off_the_question)
{
    auto c = sample();
    const auto& limits = by_title(*c, "Rate limits");
    auto answer = compose_answer(
        {"How many questions can anonymous visitors ask?", "browse", "", {{&limits, 0.8, 1.0}}, false, {}});
    EXPECT_NE(answer.find("Anonymous visitors may ask ten questions a minute."), std::string::npos) << answer;
    EXPECT_EQ(answer.find("sky"), std::string::npos) << answer;
}

TEST(answer, see_also_quotes_the_sentence_that_matches)
{
    auto c = sample();
    const auto& limits = by_title(*c, "Rate limits");
    const auto& themes = by_title(*c, "Themes");
    auto answer = compose_answer({"How many questions can verified users ask in the dark theme?",
                                  "browse",
                                  "",
                                  {{&limits, 0.8, 1.0}, {&themes, 0.6, 1.0}},
                                  false,
                                  {}});
    EXPECT_NE(answer.find("See also **Themes**: The dark theme uses a black background. [2]"), std::string::npos)
        << answer;
    auto verified = compose_answer({"What do verified users get in the dark theme?",
                                    "browse",
                                    "",
                                    {{&themes, 0.8, 1.0}, {&limits, 0.6, 1.0}},
                                    false,
                                    {}});
    EXPECT_NE(verified.find("See also **Rate limits**: Verified users get thirty. [2]"), std::string::npos)
        << "not its lead: " << verified;
}

TEST(answer, a_chosen_option_and_its_parent_are_written_once)
{
    corpus c;
    c.add("t.md",
          "# Timeouts\n\nSets timeouts.\n\n- `options` timeout options\n  - `timeout` the timeout in ms\n"
          "  - `retries` how often\n- `other` unrelated\n",
          {});
    auto answer = compose_answer({"timeout options in ms", "browse", "", {{&c.sections()[0], 1.0, 1.0}}, false, {}});
    EXPECT_NE(answer.find("- `options` timeout options\n  - `timeout` the timeout in ms"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("options` timeout options\n- `options`"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("`other`"), std::string::npos) << answer;
}

TEST(answer, sentences_keep_their_markup_whole)
{
    EXPECT_EQ(sentences_of("**Warning: this deletes data. Back up first.** Then go."),
              (std::vector<std::string>{"**Warning: this deletes data. Back up first.**", "Then go."}));
}

TEST(answer, says_so_when_nothing_answers)
{
    auto answer = compose_answer({"How do quokkas sleep?", "browse", "", {}, false, {}});
    EXPECT_NE(answer.find("could not find"), std::string::npos);
    EXPECT_EQ(answer.find('['), std::string::npos) << "no citation without a source";
}

TEST(answer, chat_mode_grounds_on_the_selection_first)
{
    auto c = sample();
    const auto& themes = by_title(*c, "Themes");
    auto answer = compose_answer({"What does this selection say about themes?",
                                  "chat",
                                  "The dark theme uses a black background. Nothing else.",
                                  {{&themes, 0.5, 1.0}},
                                  false,
                                  {}});
    EXPECT_EQ(answer.rfind("From the passage you selected: The dark theme uses a black background.", 0), 0u) << answer;
}

TEST(answer, what_does_this_mean_explains_the_passage_instead_of_repeating_it)
{
    auto c = std::make_shared<corpus>();
    c->add("limits.md",
           "# Rate limits\n\nRate limits are fixed-window counters in the database. Each window starts on the "
           "minute, so a client can send its whole allowance at the end of one window and again at the start of "
           "the next.\n\nEvery instance reads the same counters, so adding instances does not raise the limit.\n",
           {});
    const auto& limits = by_title(*c, "Rate limits");
    const std::string passage = "Rate limits are fixed-window counters in the database.";
    auto answer =
        compose_answer({"What does this mean in plain words?", "chat", passage, {{&limits, 0.5, 1.0}}, false, {}});
    EXPECT_EQ(answer.find(passage), std::string::npos) << answer;
    EXPECT_EQ(answer.find("From the passage you selected"), std::string::npos) << answer;
    EXPECT_TRUE(answer.find("Each window starts on the minute") != std::string::npos ||
                answer.find("Every instance reads the same counters") != std::string::npos)
        << "what the section says beyond the passage: " << answer;
    EXPECT_NE(answer.find("[1]"), std::string::npos) << "the explanation cites its section";

    auto only_the_passage =
        compose_answer({"Explain it to me?", "chat", limits.plain, {{&limits, 0.5, 1.0}}, false, {}});
    EXPECT_EQ(only_the_passage.rfind("From the passage you selected:", 0), 0u)
        << "a section with nothing beyond the passage leaves the passage: " << only_the_passage;
}

TEST(answer, never_leaks_dialect_markup)
{
    auto c = std::make_shared<corpus>();
    c->add("d.md",
           "# Guide { #guide }\n\n!!! note \"Careful\"\n    Setting up needs care.\n\n"
           "/// warning\nSetting up twice fails.\n///\n\n<div>Setting up <b>raw</b></div>\n\n"
           "{* ../../outside.py *}\n\nSetting up is explained here.\n",
           {});
    retriever r(c);
    auto sources = find_sources(r, "setting up", {}, 5);
    ASSERT_FALSE(sources.empty());
    auto answer = compose_answer({"setting up", "browse", "", sources, false, {}});
    std::regex leak(R"(\{\*|\*\}|!!!|///|:::|<[a-z/]|\{ ?#)");
    EXPECT_FALSE(std::regex_search(answer, leak)) << answer;
}

TEST(word_token, tokens_concatenate_back_to_the_text)
{
    std::string text = "Line one.\nLine  two, with\r\n\"quotes\" and event: x";
    std::string joined;
    int count = 0;
    for (std::size_t at = 0; at < text.size(); ++count) {
        auto t = word_token(text, at);
        ASSERT_FALSE(t.empty());
        joined += t;
        at += t.size();
    }
    EXPECT_EQ(joined, text);
    EXPECT_EQ(count, 9);
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
