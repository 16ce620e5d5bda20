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
// examples/bench_answers (286 in-scope questions, their first stage's best
// 40 each), in the order of `enum feature`. Left-one-set-out, MRR@5 went
// from 0.580 to 0.614; see docs/benchmarks.md.
constexpr double bias = -5.8300;
constexpr features weights{1.5685, 2.8316, 5.5354,  1.9443, 1.2892, 4.9286, -0.5590, 1.4678, 0.3724, -0.0946, -0.0993,
                           0.5676, 0.3913, -0.7913, 0.2349, 0.9678, 0.2030, -0.8098, 0.2440, 1.4513, 0.3525,  0.4934};

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
