#pragma once

#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/vector_index.hpp"

#include <span>
#include <string_view>

namespace chatkit::chat {

// What a question means, beside its words: its embedding and the vectors of
// the corpus the retriever indexes (the same sections, in the same order).
struct meaning {
    const vector_index& vectors;
    std::span<const float> question;
    // A section at least this close (cosine) answers even when it shares
    // few of the question's words: the paraphrase a lexical search misses.
    // Where a model puts related texts depends on the model: measure it
    // (examples/bench_answers.sh with EMBEDDINGS_* set).
    double min_similarity;
};

// find_sources with meaning: the lexical sources and the close sections,
// fused by reciprocal rank. A question naming another product or an API
// the corpus lacks is refused (retriever::names_elsewhere); any other is
// held covered when either search says so (the lexical decision, or a
// section at min_similarity).
[[nodiscard]] std::vector<hit> find_sources(const retriever& index, std::string_view question,
                                            std::string_view selection, std::size_t limit, std::string_view earlier,
                                            const meaning& m);

} // namespace chatkit::chat
