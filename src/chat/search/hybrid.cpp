#include "chatkit/chat/search/hybrid.hpp"

#include "chatkit/chat/search/follow_up.hpp"

#include <algorithm>
#include <unordered_map>

namespace chatkit::chat {

namespace {

// Candidates each search contributes before fusion: deeper than an answer
// cites, so a section second in one list and fifth in the other still meets.
constexpr std::size_t fusion_depth = 20;
// Reciprocal rank fusion's constant (Cormack et al., 2009): 60 keeps the
// lists' top ranks from swamping agreement further down. Without a real
// model here it is the paper's value, not one fitted to a corpus.
constexpr double rrf_k = 60;

} // namespace

std::vector<hit> find_sources(const retriever& index, std::string_view question, std::string_view selection,
                              std::size_t limit, std::string_view earlier, const meaning& m)
{
    // Meaning may find what the words missed (a paraphrase), never overrule
    // a refusal of another product or API: unrelated texts are closer than
    // 0.5 in some models.
    const auto context = follow_up_context(question, earlier);
    auto looked = index.lookup(question, fusion_depth, context);
    if (retriever::names_elsewhere(looked))
        return {};
    auto lexical = sources_from(index, std::move(looked), question, selection, fusion_depth, context);
    auto close = m.vectors.nearest(m.question, fusion_depth);
    const bool vector_covers = !close.empty() && close.front().second >= m.min_similarity;
    if (lexical.empty() && !vector_covers)
        return {};

    struct candidate {
        hit h;
        double fused = 0;
    };
    const auto& sections = index.sections();
    std::unordered_map<const section*, candidate> fused;
    for (std::size_t rank = 0; rank < lexical.size(); ++rank) {
        auto& c = fused.try_emplace(lexical[rank].doc, candidate{lexical[rank]}).first->second;
        c.fused += 1 / (rrf_k + static_cast<double>(rank + 1));
    }
    for (std::size_t rank = 0; rank < close.size(); ++rank) {
        const auto [doc, cosine] = close[rank];
        if (doc >= sections.size())
            break; // vectors of another corpus: never, but never trust it
        auto it = fused.find(&sections[doc]);
        // A section only the vectors found must be close in its own right.
        if (it == fused.end()) {
            if (cosine < m.min_similarity)
                continue;
            it = fused.try_emplace(&sections[doc], candidate{hit{&sections[doc], 0, 0}}).first;
        }
        it->second.h.score = std::max(it->second.h.score, std::clamp(static_cast<double>(cosine), 0.0, 1.0));
        it->second.fused += 1 / (rrf_k + static_cast<double>(rank + 1));
    }
    std::vector<candidate> ranked;
    ranked.reserve(fused.size());
    for (auto& [doc, c] : fused)
        ranked.push_back(c);
    std::sort(ranked.begin(), ranked.end(), [](const candidate& a, const candidate& b) {
        return a.fused != b.fused ? a.fused > b.fused : a.h.doc->id < b.h.doc->id;
    });
    std::vector<hit> out;
    for (std::size_t i = 0; i < ranked.size() && out.size() < limit; ++i)
        out.push_back(ranked[i].h);
    return out;
}

} // namespace chatkit::chat
