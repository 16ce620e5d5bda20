#include "chatkit/chat/reranker.hpp"

#include "chatkit/util/text.hpp"

#include <cmath>
#include <string>

namespace chatkit::chat {

namespace {

constexpr std::array<const char*, feature_count> names{
    "bm25f",         "in_heading", "in_trail",           "in_lead",        "in_prose",      "in_code",
    "from_synonyms", "coverage",   "heading_coverage",   "trail_coverage", "lead_coverage", "heading_precision",
    "api_heading",   "depth",      "body_length",        "rank_prior",     "how_to_api",    "concept_api",
    "code_coverage", "phrases",    "identifier_heading", "page_evidence"};

// Trained by examples/train_ranker.py on the seen question sets of
// examples/bench_answers (334 in-scope questions in 14 sets, their first
// stage's best 40 each), in the order of `enum feature`. Left-one-set-out,
// MRR@5 went from 0.570 to 0.604; see docs/benchmarks.md.
constexpr double bias = -5.6049;
constexpr features weights{1.4285, 2.4098, 5.1448,  1.4259,  1.6231, 4.6990, -0.3532, 1.5366, 0.5538, -0.1511, -0.0122,
                           0.4215, 0.2968, -0.6447, -0.0974, 0.7893, 0.0653, -0.5768, 0.3668, 1.1125, 0.2851,  0.6094};

bool contains_any(std::string_view text, std::initializer_list<std::string_view> phrases)
{
    for (auto p : phrases)
        if (text.find(p) != std::string_view::npos)
            return true;
    return false;
}

} // namespace

const char* feature_name(std::size_t f)
{
    return f < names.size() ? names[f] : "";
}

question_shape shape_of(std::string_view question)
{
    std::string q(1, ' ');
    q.append(util::ascii_lower(question));
    question_shape out;
    out.how_to = contains_any(q, {" how do ", " how can ", " how to ", " how would ", " how should ", " how i ",
                                  " is there a way", " is there an api", " which function", " which method",
                                  " what function", " what method", " what api", " what call"});
    out.conceptual = contains_any(q, {" why ", " what is ", " what are ", " what does ", " what's the difference",
                                      " difference between", " explain", " what happens"});
    return out;
}

double relevance(const features& f)
{
    double z = bias;
    for (std::size_t i = 0; i < feature_count; ++i)
        z += weights[i] * f[i];
    return 1 / (1 + std::exp(-z));
}

} // namespace chatkit::chat
