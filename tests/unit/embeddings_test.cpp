#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/embed/embeddings_parser.hpp"
#include "chatkit/chat/search/hybrid.hpp"
#include "chatkit/chat/search/vector_index.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace chatkit::chat;

namespace {

const char* widget_md = R"(# Widget

## Translating the widget

Set the locale property to strings in the reader's language.

## Colours

Set --chatkit-accent to the brand colour.

## Placement

The launcher sits in the bottom right corner.
)";

// Section i's vector: one-hot at i, so a question's vector says exactly
// which section it means (16 dimensions: more than the sections).
std::vector<float> one_hot(std::size_t i, std::size_t dims)
{
    std::vector<float> v(dims, 0.0f);
    v[i] = 1.0f;
    return v;
}

std::size_t section_index(const retriever& r, std::string_view title)
{
    for (std::size_t i = 0; i < r.sections().size(); ++i)
        if (r.sections()[i].title == title)
            return i;
    ADD_FAILURE() << "no section " << title;
    return 0;
}

// The widget page, indexed, with each section's one-hot vector.
struct widget_corpus {
    static constexpr std::size_t dims = 16;
    std::shared_ptr<corpus> pages = [] {
        auto c = std::make_shared<corpus>();
        c->add("widget.md", widget_md, {});
        return c;
    }();
    retriever index{pages};
    vector_index vectors = [this] {
        vector_index v(dims);
        for (std::size_t i = 0; i < index.sections().size(); ++i)
            v.push_back(quantize(one_hot(i, dims)));
        return v;
    }();
};

} // namespace

TEST(embeddings_parser, reads_vectors_back_into_input_order)
{
    auto v = parse_embeddings(
        R"({"data":[{"index":1,"embedding":[0.5,0.25]},{"index":0,"embedding":[1,-2e-1]}],"model":"m"})", 2, 2);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_FLOAT_EQ(v[0][1], -0.2f);
    EXPECT_FLOAT_EQ(v[1][0], 0.5f);
}

TEST(embeddings_parser, refuses_what_is_not_an_answer_to_the_request)
{
    for (const char* body : {
             "not json", "[]", R"({"error":{"message":"bad key"}})",
             R"({"data":[{"index":0,"embedding":[1,2]}]})",                                   // one of two
             R"({"data":[{"index":0,"embedding":[1,2]},{"index":0,"embedding":[1,2]}]})",     // index twice
             R"({"data":[{"index":0,"embedding":[1,2]},{"index":5,"embedding":[1,2]}]})",     // out of range
             R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]})",   // lengths differ
             R"({"data":[{"index":0,"embedding":[1,"2"]},{"index":1,"embedding":[1,2]}]})",   // a string
             R"({"data":[{"index":0,"embedding":[1,1e999]},{"index":1,"embedding":[1,2]}]})", // not finite
             R"({"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]})",           // empty
             R"({"data":[{"index":-1,"embedding":[1,2]},{"index":1,"embedding":[1,2]}]})",    // negative
             R"({"data":[{"index":0,"embedding":"AAAA"},{"index":1,"embedding":[1,2]}]})",    // base64
         })
        EXPECT_THROW(static_cast<void>(parse_embeddings(body, 2, 0)), std::runtime_error) << body;
    EXPECT_THROW(static_cast<void>(parse_embeddings(R"({"data":[{"embedding":[1,2,3]}]})", 1, 2)), std::runtime_error)
        << "the configured dimensions";
}

TEST(vector_index, finds_the_nearest_sections_by_cosine_after_quantization)
{
    constexpr std::size_t dims = 96, count = 500;
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    std::vector<std::vector<float>> vectors(count, std::vector<float>(dims));
    vector_index index(dims);
    index.reserve(count);
    for (auto& v : vectors) {
        for (auto& x : v)
            x = normal(random);
        index.push_back(quantize(v));
    }
    auto query = vectors[42];
    for (auto& x : query)
        x = x * 3 + normal(random) * 0.5f; // scaled and nudged: still nearest to 42
    auto exact = [&](std::size_t i) {
        double dot = 0, a = 0, b = 0;
        for (std::size_t d = 0; d < dims; ++d) {
            dot += double(query[d]) * vectors[i][d];
            a += double(query[d]) * query[d];
            b += double(vectors[i][d]) * vectors[i][d];
        }
        return dot / std::sqrt(a * b);
    };
    auto best = index.nearest(query, 5);
    ASSERT_EQ(best.size(), 5u);
    EXPECT_EQ(best[0].first, 42u);
    for (std::size_t i = 0; i < best.size(); ++i) {
        EXPECT_NEAR(best[i].second, exact(best[i].first), 0.01) << "quantization costs under 0.01 of cosine";
        if (i) {
            EXPECT_GE(best[i - 1].second, best[i].second);
        }
    }
    EXPECT_EQ(index.memory_bytes(), count * dims + count * sizeof(float));
    EXPECT_TRUE(index.nearest(std::vector<float>(dims, 0.0f), 5).empty()) << "a zero vector is near nothing";
    EXPECT_THROW(static_cast<void>(index.nearest(std::vector<float>(dims - 1, 1.0f), 5)), std::invalid_argument);
}

TEST(hybrid, a_question_in_other_words_is_answered_by_meaning)
{
    widget_corpus w;
    const auto& r = w.index;
    const auto& vectors = w.vectors;
    const auto dims = widget_corpus::dims;
    const char* paraphrase = "Can people read it in their mother tongue?";
    ASSERT_TRUE(find_sources(r, paraphrase, {}, 5).empty()) << "its words are not the docs'";

    auto meant = one_hot(section_index(r, "Translating the widget"), dims);
    auto found = find_sources(r, paraphrase, {}, 5, {}, meaning{vectors, meant, 0.5});
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found.front().doc->title, "Translating the widget");
    EXPECT_EQ(found.size(), 1u) << "sections only the vectors found must be close themselves";

    std::vector<float> vague(dims, 1.0f); // near every section, close to none
    EXPECT_TRUE(find_sources(r, paraphrase, {}, 5, {}, meaning{vectors, vague, 0.5}).empty());
    EXPECT_TRUE(
        find_sources(r, "Can readers in Munich see it in Django's tongue?", {}, 5, {}, meaning{vectors, meant, 0.5})
            .empty())
        << "names the corpus never uses: however close the vector, another topic";
}

TEST(hybrid, agreement_between_words_and_meaning_ranks_first)
{
    widget_corpus w;
    const auto& r = w.index;
    const auto& vectors = w.vectors;
    const auto dims = widget_corpus::dims;
    const char* question = "Set the colour or the locale?";
    auto lexical = find_sources(r, question, {}, 5);
    ASSERT_GE(lexical.size(), 2u);
    auto second = lexical[1].doc->title;
    auto fused = find_sources(r, question, {}, 5, {}, meaning{vectors, one_hot(section_index(r, second), dims), 0.5});
    ASSERT_FALSE(fused.empty());
    EXPECT_EQ(fused.front().doc->title, second) << "second by words, first by meaning";
}
