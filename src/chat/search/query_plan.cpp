// The question's side of retrieval: which words it asks about, each with
// its spelling correction, other forms, synonyms and weight, and how much of
// it the corpus does not know (retriever::plan).
#include "chatkit/chat/search/english.hpp"
#include "chatkit/chat/search/query_words.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/terms.hpp"

#include <algorithm>
#include <cmath>

namespace chatkit::chat {

namespace {

// A synonym is weaker evidence than the word the reader used.
constexpr double alternative_weight = 0.35;

// Edit distance counting a swap of neighbours as one edit ("raed" ->
// "read"), or `limit + 1` once it is certain to exceed `limit`.
std::size_t distance_within(std::string_view a, std::string_view b, std::size_t limit)
{
    if (a.size() > b.size() + limit || b.size() > a.size() + limit)
        return limit + 1;
    std::vector<std::size_t> before(b.size() + 1), row(b.size() + 1), next(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        next[0] = i;
        std::size_t best = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            next[j] = std::min({row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                next[j] = std::min(next[j], before[j - 2] + 1);
            best = std::min(best, next[j]);
        }
        if (best > limit)
            return limit + 1;
        std::swap(before, row);
        std::swap(row, next);
    }
    return row[b.size()];
}

} // namespace

std::string retriever::correction(const std::string& word) const
{
    // Only words long enough for a typo to be told from another word.
    if (word.size() < 4 || words_.contains(word) || is_stop_word(word))
        return word;
    const std::size_t limit = word.size() >= 9 ? 2 : 1;
    const std::string* best = nullptr;
    std::size_t best_distance = limit + 1;
    // Typos rarely hit the first letter, except by swapping the first two.
    for (char first : {word[0], word[1]}) {
        for (std::size_t len = word.size() - limit; len <= word.size() + limit; ++len) {
            auto bucket = spelling_.find(spelling_key(first, len));
            if (bucket == spelling_.end())
                continue;
            for (const auto* known : bucket->second) {
                auto d = distance_within(word, *known, limit);
                if (d < best_distance || (d == best_distance && best && *known < *best)) {
                    best = known;
                    best_distance = d;
                }
            }
        }
        if (word[0] == word[1])
            break;
    }
    return best ? *best : word;
}

retriever::query_plan retriever::plan(std::string_view query, std::string_view context) const
{
    // Each word of the question is a concept; its documentation synonyms
    // count for it too. A concept weighs the idf of its most common form in
    // the corpus, so a reader's rare word ("wipe") for a common thing
    // ("remove") does not make the question look unanswerable. A word the
    // corpus does not hold at all is corrected to a known one a typo away.
    query_plan out;
    const auto n = static_cast<double>(sections().size());
    const double unseen_idf = std::log(1 + (n + 0.5) / 0.5);
    // Each distinct word is corrected once, and only the first few: a long
    // message of made-up words must not cost a vocabulary scan per word.
    const auto words = classify_words(query);
    std::unordered_map<std::string, std::string> corrected;
    auto correct = [&](const std::string& w) {
        // "Deno" is not a typo of "demo", nor "wine" of "line": a name or
        // an English word is what the reader meant.
        if (words.written_as_names.contains(w) || is_english_word(w) || is_proper_noun(w))
            return w;
        if (auto it = corrected.find(w); it != corrected.end())
            return it->second;
        auto fixed = corrected.size() < max_corrections ? correction(w) : w;
        corrected.emplace(w, fixed);
        return fixed;
    };
    // The stems of the other forms of each word the reader wrote ("embed"
    // for "embedding"), that the corpus holds.
    std::unordered_map<std::string, std::vector<std::string>> other_forms;
    auto fix = [&](const std::string& w) {
        auto fixed = correct(w);
        if (other_forms.size() < max_concepts)
            if (auto [it, added] = other_forms.try_emplace(stem_of(fixed)); added)
                for (auto& s : other_form_stems(fixed))
                    if (postings_.contains(s))
                        it->second.push_back(std::move(s));
        return fixed;
    };
    std::string previous; // the word before, for the pairs a phrase match looks for
    for (auto& t : terms_of(query, fix)) {
        if (!previous.empty() && out.pairs.size() < max_concepts)
            out.pairs.push_back(pair_hash(previous, t));
        previous = t;
        if (out.concepts.size() == max_concepts)
            break;
        // "callback-style" whole only sharpens a match; unknown, it is not
        // a sign of an unknown topic (its parts count for that).
        if (t.find_first_of(".-_") != std::string::npos && !postings_.contains(t))
            continue;
        // Two letters the corpus never uses are a flag or a unit ("ls -la",
        // "2 mb"), too short to tell another topic from a typo; a number
        // the corpus lacks is the reader's own (a port, a size, a line).
        if ((t.size() <= 2 || t.find_first_not_of("0123456789") == std::string::npos) && !postings_.contains(t))
            continue;
        // Docs that never name a language can still say how to translate.
        if (words.language_terms.contains(t) && !postings_.contains(t))
            continue;
        if (std::any_of(out.terms.begin(), out.terms.end(),
                        [&](const query_term& q) { return q.term == t && q.asked && !q.other_form; }))
            continue;
        std::erase_if(out.terms, [&](const query_term& q) { return q.term == t; });
        auto c = out.concepts.size();
        out.terms.push_back({t, 1.0, c, true});
        if (auto forms = other_forms.find(t); forms != other_forms.end())
            for (const auto& form : forms->second)
                if (std::none_of(out.terms.begin(), out.terms.end(),
                                 [&](const query_term& q) { return q.term == form; }))
                    out.terms.push_back({form, 1.0, c, true, true});
        for (const auto& alt : alternatives_of(t))
            if (std::none_of(out.terms.begin(), out.terms.end(), [&](const query_term& q) { return q.term == alt; }))
                out.terms.push_back({alt, alternative_weight, c, false});
        // A reader's word may begin with a heading's short part ("extension"
        // for ext); a name is exactly what was written ("getBuiltinModule"
        // is not "get"), so an unknown one stays unknown.
        for (auto len = min_abbreviation;
             !words.identifiers.contains(t) && len <= max_abbreviation && len + 2 <= t.size(); ++len) {
            auto prefix = t.substr(0, len);
            if (abbreviations_.contains(prefix) &&
                std::none_of(out.terms.begin(), out.terms.end(), [&](const query_term& q) { return q.term == prefix; }))
                out.terms.push_back({prefix, alternative_weight, c, false});
        }
        out.concepts.push_back(unseen_idf);
    }
    // A follow-up's earlier question says what "that" is: its words the
    // corpus holds join at a lower weight, as concepts of their own.
    for (auto& t : terms_of(context)) { // as written: its names are not this question's to correct
        if (out.concepts.size() == max_concepts)
            break;
        if (!postings_.contains(t) ||
            std::any_of(out.terms.begin(), out.terms.end(), [&](const query_term& q) { return q.term == t; }))
            continue;
        out.terms.push_back({t, context_weight, out.concepts.size(), false, false, true});
        out.concepts.push_back(unseen_idf);
    }
    for (auto& q : out.terms) {
        auto it = postings_.find(q.term);
        double df = it == postings_.end() ? 0 : static_cast<double>(it->second.size());
        q.idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
        q.postings = it == postings_.end() ? nullptr : &it->second;
        if (q.postings)
            out.concepts[q.concept_index] = std::min(out.concepts[q.concept_index], q.idf);
    }
    // The reader's word stands for its concept, or its most common other
    // form when the corpus lacks the word ("embed" stemmed to emb). A rarer
    // form weighs no more than that word: "fill" must not outscore "file".
    for (auto& own : out.terms) {
        if (!own.asked || own.other_form)
            continue;
        auto same = [&](const query_term& q) {
            return q.other_form && q.concept_index == own.concept_index;
        };
        query_term* stand = &own;
        for (auto& q : out.terms)
            if (!own.postings && same(q) && q.postings && (stand == &own || q.idf < stand->idf))
                stand = &q;
        if (stand != &own) {
            own.other_form = true;
            stand->other_form = false;
        }
        for (auto& q : out.terms)
            if (same(q) && q.idf > 0)
                q.weight = std::min(1.0, stand->idf / q.idf);
    }
    double all = 0, unknown = 0, names = 0;
    for (const auto& q : out.terms) {
        // The context is known by construction: it dilutes what the
        // follow-up's own words lack, at its weight.
        if (q.context)
            all += context_weight * out.concepts[q.concept_index];
        if (!q.asked || q.other_form)
            continue;
        auto w = out.concepts[q.concept_index];
        if (w == unseen_idf && words.literal_terms.contains(q.term) && !words.name_terms.contains(q.term))
            continue;
        all += w;
        if (w != unseen_idf)
            continue;
        unknown += w;
        if (words.name_terms.contains(q.term))
            names += w;
    }
    // "fs.glob" asked of docs that document fs but not fs.glob, or
    // "--env-file" of docs that document flags but not that one: an API of
    // another version, or none; whatever the docs say about fs is no answer.
    for (const auto& [whole, first] : words.api_names)
        if (!postings_.contains(whole) && (first.empty() ? documents_flags_ : namespaces_.contains(first)))
            out.api_missing = true;
    for (const auto& code : words.codes) {
        auto terms = terms_of(code);
        if (!terms.empty() &&
            std::all_of(terms.begin(), terms.end(), [&](const std::string& t) { return postings_.contains(t); }))
            out.known_code = true;
    }
    out.unknown_share = all > 0 ? unknown / all : 1.0;
    out.unknown_name_share = all > 0 ? names / all : 1.0;
    return out;
}

} // namespace chatkit::chat
