#include "chatkit/chat/search/reranker.hpp"

#include "chatkit/util/text.hpp"

#include <cmath>
#include <iterator>
#include <string>

namespace chatkit::chat {

namespace {

// Trained by examples/train_ranker.py on the six development corpora of
// examples/bench_answers together, each weighing the same (880 in-scope
// questions: Node.js, this repository's docs, the Rust book, Kubernetes,
// Prettier, ESLint; the first stage's best 40 each), in the order of
// `feature::index`. With each corpus left out of training in turn, MRR@5
// over the first stage alone: 0.573 -> 0.597, 0.636 -> 0.682, 0.754 ->
// 0.776, 0.654 -> 0.644, 0.618 -> 0.624, 0.423 -> 0.464 (docs/answer-quality.md).
constexpr double bias = -5.4356;
constexpr double weights[]{1.4478, 3.2068, 2.3719, -0.0277, 2.6036, 4.5929, 0.6045, 0.5060, 0.0106, 1.4058, -0.0815,
                           0.5331, 0.3539, -0.0093, -0.0974, 0.6602, 0.0179, -0.4867, 0.7487, 1.2605, 0.0223, 0.4967};

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
