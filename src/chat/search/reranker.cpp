#include "chatkit/chat/search/reranker.hpp"

#include "chatkit/util/text.hpp"

#include <cmath>
#include <iterator>
#include <string>

namespace chatkit::chat {

namespace {

// Trained by examples/train_ranker.py on the seen question sets of
// examples/bench_answers (334 in-scope questions in 14 sets, their first
// stage's best 40 each), in the order of `feature::index`. Left-one-set-out,
// MRR@5 went from 0.570 to 0.604; see docs/answer-quality.md. Trained on
// all six development corpora instead, the validation corpora lost (train_ranker.py).
constexpr double bias = -5.6049;
constexpr double weights[]{1.4285, 2.4098, 5.1448,  1.4259,  1.6231, 4.6990, -0.3532, 1.5366, 0.5538, -0.1511, -0.0122,
                           0.4215, 0.2968, -0.6447, -0.0974, 0.7893, 0.0653, -0.5768, 0.3668, 1.1125, 0.2851,  0.6094};

static_assert(std::size(weights) == feature::count, "one weight per feature");

bool contains_any(std::string_view text, std::initializer_list<std::string_view> phrases)
{
    for (auto p : phrases)
        if (text.find(p) != std::string_view::npos)
            return true;
    return false;
}

} // namespace

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
    for (std::size_t i = 0; i < feature::count; ++i)
        z += weights[i] * f[i];
    return 1 / (1 + std::exp(-z));
}

} // namespace chatkit::chat
