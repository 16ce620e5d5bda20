#include "chatkit/chat/search/retriever.hpp"

#include "chatkit/chat/search/english.hpp"
#include "chatkit/chat/search/follow_up.hpp"
#include "chatkit/chat/search/query_words.hpp"
#include "chatkit/chat/search/terms.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace chatkit::chat {

namespace {

constexpr double k1 = 1.2;
// Heading, trail, lead, prose, code. A heading names what its section is
// about and the lead says it in a sentence, so words there count most; code
// is full of incidental identifiers. Measured on the development questions
// of examples/bench_answers (docs/answer-quality.md).
constexpr std::array<double, 5> field_weight{3.0, 1.0, 2.0, 1.0, 0.5};
constexpr std::array<double, 5> field_b{0.6, 0.6, 0.75, 0.75, 0.75};

std::string joined_trail(const section& s)
{
    std::string out;
    for (const auto& t : s.trail)
        out.append(t).append(" ");
    return out;
}

// "api/fs.md" -> "fs".
std::string_view file_stem(std::string_view path)
{
    path = path.substr(path.find_last_of('/') + 1);
    return path.substr(0, path.find('.'));
}

} // namespace

retriever::retriever(std::shared_ptr<const corpus> source) : source_(std::move(source))
{
    const auto& docs = source_->sections();
    for (const auto& s : docs)
        for (const auto* text : {&s.title, &s.plain, &s.code})
            words_of(*text, [this](std::string_view w) { words_.emplace(w); });
    std::vector<std::array<double, fields>> lengths(docs.size());
    std::array<double, fields> totals{};
    std::unordered_map<std::string, std::array<std::uint16_t, fields>> tf;
    std::vector<std::uint32_t> near;
    for (std::uint32_t i = 0; i < docs.size(); ++i) {
        tf.clear();
        near.clear();
        const std::array<std::string, fields> texts{docs[i].title, joined_trail(docs[i]), docs[i].lead, docs[i].plain,
                                                    docs[i].code};
        for (std::size_t f = 0; f < fields; ++f) {
            auto terms = terms_of(texts[f]);
            if (f == 0)
                add_identifier_parts(docs[i], terms);
            if (f == 0 || f == 2 || f == 3)
                for (std::size_t j = 0; j + 1 < terms.size(); ++j)
                    near.push_back(pair_hash(terms[j], terms[j + 1]));
            lengths[i][f] = static_cast<double>(terms.size());
            totals[f] += lengths[i][f];
            for (auto& t : terms) {
                auto& n = tf[t][f];
                if (n < UINT16_MAX)
                    ++n;
            }
        }
        for (auto& [term, counts] : tf)
            postings_[term].push_back({i, counts});
        std::sort(near.begin(), near.end());
        near.erase(std::unique(near.begin(), near.end()), near.end());
        pair_start_.push_back(static_cast<std::uint32_t>(pairs_.size()));
        pairs_.insert(pairs_.end(), near.begin(), near.end());
    }
    pair_start_.push_back(static_cast<std::uint32_t>(pairs_.size()));
    pairs_.shrink_to_fit();
    for (const auto& w : words_)
        spelling_[spelling_key(w[0], w.size())].push_back(&w);
    length_norm_.resize(docs.size());
    length_.resize(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i)
        for (std::size_t f = 0; f < fields; ++f) {
            double average = docs.empty() ? 1 : std::max(1.0, totals[f] / static_cast<double>(docs.size()));
            length_norm_[i][f] = static_cast<float>(1 - field_b[f] + field_b[f] * lengths[i][f] / average);
            length_[i][f] = static_cast<std::uint16_t>(std::min<double>(lengths[i][f], UINT16_MAX));
        }
}

std::uint32_t retriever::pair_hash(const std::string& a, const std::string& b)
{
    auto h = std::hash<std::string>{}(a)*0x9E3779B97F4A7C15ULL ^ std::hash<std::string>{}(b);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

void retriever::add_identifier_parts(const section& s, std::vector<std::string>& terms)
{
    const auto& title = s.title;
    // An API heading names its subject in a compound ("path.extname()",
    // "os.freemem()", "url.searchParams"). Its parts become heading terms
    // ("ext" + "name", "free" + "mem"), and a short part is remembered as an
    // abbreviation a reader's whole word may stand for ("extension",
    // "parameter"). Prose headings are left alone: there a split is noise.
    if (title.starts_with("--"))
        documents_flags_ = true;
    if (title.find_first_of(".(") == std::string::npos)
        return;
    // "fs" of "fs.rm(path)" on fs.md is a namespace the docs document; "buf"
    // of "buf.slice()" on buffer.md is an instance, named as the reader likes.
    if (auto dot = title.find('.'); dot != std::string::npos && dot > 0 &&
                                    std::none_of(title.begin(), title.begin() + static_cast<std::ptrdiff_t>(dot),
                                                 [](char c) { return c == ' ' || c == '(' || c == ':'; }))
        if (auto first = terms_of(std::string_view(title).substr(0, dot));
            first.size() == 1 && s.source && first == terms_of(file_stem(s.source->path)))
            namespaces_.insert(first.front());
    words_of(title, [&](std::string_view w) {
        auto remember = [&](std::string_view part) {
            auto stemmed = terms_of(part);
            if (stemmed.size() == 1 && stemmed[0].size() >= min_abbreviation && stemmed[0].size() <= max_abbreviation)
                abbreviations_.insert(stemmed[0]);
        };
        remember(w);
        for (std::size_t cut = min_abbreviation; w.size() >= 2 * min_abbreviation && cut + min_abbreviation <= w.size();
             ++cut) {
            auto head = w.substr(0, cut), tail = w.substr(cut);
            if (!words_.contains(std::string(head)) || !words_.contains(std::string(tail)))
                continue;
            for (auto part : {head, tail}) {
                remember(part);
                for (auto& t : terms_of(part))
                    terms.push_back(std::move(t));
            }
            break;
        }
    });
}

std::vector<hit> retriever::search(std::string_view query, std::size_t limit, std::string_view context) const
{
    return lookup(query, limit, context).hits;
}

retriever::first_stage_result retriever::first_stage(std::string_view query, std::size_t depth,
                                                     std::string_view context) const
{
    first_stage_result out{plan(query, context), {}, {}, 0, 0};
    const auto& q = out.plan;
    const auto concepts = q.concepts.size();
    thread_local std::vector<double> score;
    thread_local std::vector<std::uint64_t> covered;
    thread_local std::vector<std::uint32_t> touched;
    score.assign(sections().size(), 0);
    covered.assign(sections().size(), 0);
    touched.clear();

    for (const auto& t : q.terms) {
        if (t.asked && !t.other_form)
            out.best_possible += t.idf;
        if (!t.postings)
            continue;
        for (const auto& p : *t.postings) {
            double weighted = 0;
            for (std::size_t f = 0; f < fields; ++f)
                weighted += field_weight[f] * p.tf[f] / length_norm_[p.doc][f];
            if (covered[p.doc] == 0)
                touched.push_back(p.doc);
            score[p.doc] += t.weight * t.idf * weighted / (k1 + weighted);
            covered[p.doc] |= std::uint64_t{1} << t.concept_index;
        }
    }
    out.all_concepts = std::accumulate(q.concepts.begin(), q.concepts.end(), 0.0);
    auto& hits = out.hits;
    hits.reserve(touched.size());
    for (auto doc : touched) {
        double covered_weight = 0;
        for (std::size_t c = 0; c < concepts; ++c)
            if (covered[doc] & (std::uint64_t{1} << c))
                covered_weight += q.concepts[c];
        hits.push_back({&sections()[doc], out.best_possible > 0 ? std::min(1.0, score[doc] / out.best_possible) : 0.0,
                        out.all_concepts > 0 ? covered_weight / out.all_concepts : 0.0});
    }
    auto cut = std::min(depth, hits.size());
    std::partial_sort(
        hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(cut), hits.end(),
        [](const hit& a, const hit& b) { return a.score != b.score ? a.score > b.score : a.doc->id < b.doc->id; });
    hits.resize(cut);
    for (const auto& h : hits)
        out.covered.push_back(covered[static_cast<std::size_t>(h.doc - sections().data())]);
    return out;
}

features retriever::features_of(const first_stage_result& r, std::size_t rank, question_shape shape) const
{
    static_assert(feature::in_code == feature::in_heading + fields - 1, "one feature per field, in field order");
    const auto& h = r.hits[rank];
    const auto doc = static_cast<std::uint32_t>(h.doc - sections().data());
    features out{};
    out[feature::bm25f] = h.score;
    out[feature::coverage] = h.coverage;
    std::array<std::uint64_t, fields> in_field{};
    double heading_matches = 0;
    for (const auto& t : r.plan.terms) {
        if (!t.postings)
            continue;
        auto p = std::lower_bound(t.postings->begin(), t.postings->end(), doc,
                                  [](const posting& x, std::uint32_t d) { return x.doc < d; });
        if (p == t.postings->end() || p->doc != doc)
            continue;
        std::array<double, fields> part{};
        double weighted = 0;
        for (std::size_t f = 0; f < fields; ++f) {
            part[f] = field_weight[f] * p->tf[f] / length_norm_[doc][f];
            weighted += part[f];
            if (p->tf[f] > 0)
                in_field[f] |= std::uint64_t{1} << t.concept_index;
        }
        const double contribution = t.weight * t.idf * weighted / (k1 + weighted) / std::max(r.best_possible, 1e-9);
        if (!t.asked)
            out[feature::from_synonyms] += contribution;
        else
            for (std::size_t f = 0; f < fields; ++f)
                out[feature::in_heading + f] += contribution * part[f] / weighted; // in field order
        heading_matches += p->tf[0];
        if (t.asked && p->tf[0] > 0 && t.term.find_first_of("._-") != std::string::npos)
            out[feature::identifier_heading] = 1;
    }
    // A synonym can be rarer than every word the reader wrote, so its part
    // is not bounded by the score's normalisation; nor are a word's other
    // forms, each scored where the section holds it.
    out[feature::from_synonyms] = std::min(1.0, out[feature::from_synonyms]);
    for (std::size_t f = 0; f < fields; ++f)
        out[feature::in_heading + f] = std::min(1.0, out[feature::in_heading + f]);
    auto share = [&](std::uint64_t mask) {
        double w = 0;
        for (std::size_t c = 0; c < r.plan.concepts.size(); ++c)
            if (mask & (std::uint64_t{1} << c))
                w += r.plan.concepts[c];
        return r.all_concepts > 0 ? w / r.all_concepts : 0.0;
    };
    out[feature::heading_coverage] = share(in_field[0]);
    out[feature::trail_coverage] = share(in_field[1]);
    out[feature::lead_coverage] = share(in_field[2]);
    out[feature::code_coverage] = share(in_field[4]);
    if (!r.plan.pairs.empty()) {
        auto first = pairs_.begin() + pair_start_[doc], last = pairs_.begin() + pair_start_[doc + 1];
        std::size_t found = 0;
        for (auto pair : r.plan.pairs)
            found += std::binary_search(first, last, pair) ? 1 : 0;
        out[feature::phrases] = static_cast<double>(found) / static_cast<double>(r.plan.pairs.size());
    }
    double same_page = 0;
    for (std::size_t i = 0; i < r.hits.size(); ++i)
        if (i != rank && r.hits[i].doc->source == h.doc->source)
            same_page = std::max(same_page, r.hits[i].score);
    out[feature::page_evidence] = r.hits.front().score > 0 ? same_page / r.hits.front().score : 0.0;
    out[feature::heading_precision] = length_[doc][0] > 0 ? std::min(1.0, heading_matches / length_[doc][0]) : 0.0;
    const auto& title = h.doc->title;
    // A call ("fs.rm(path)", "new Worker(file)"), a flag, or a dotted name;
    // not prose with an aside ("What production refuses (exit code 78)").
    auto paren = title.find('(');
    bool call = paren != std::string::npos && paren > 0 &&
                (word_char(static_cast<unsigned char>(title[paren - 1])) || title[paren - 1] == ']');
    bool api = call || title.starts_with("-") ||
               (title.find('.') != std::string::npos && title.find(' ') == std::string::npos);
    out[feature::api_heading] = api ? 1 : 0;
    out[feature::depth] = static_cast<double>(h.doc->trail.size()) / 5;
    out[feature::body_length] = std::log1p(length_[doc][3]) / 10;
    out[feature::rank_prior] = 1.0 / (1.0 + static_cast<double>(rank));
    out[feature::how_to_api] = shape.how_to && api ? 1 : 0;
    out[feature::concept_api] = shape.conceptual && api ? 1 : 0;
    return out;
}

std::vector<std::pair<hit, features>> retriever::candidates(std::string_view query, std::size_t depth,
                                                            std::string_view context) const
{
    auto r = first_stage(query, depth, context);
    const auto shape = shape_of(query);
    std::vector<std::pair<hit, features>> out;
    for (std::size_t i = 0; i < r.hits.size(); ++i)
        out.emplace_back(r.hits[i], features_of(r, i, shape));
    return out;
}

std::size_t retriever::longest_quoted_run(const query_plan& q, std::uint32_t doc) const
{
    auto first = pairs_.begin() + pair_start_[doc], last = pairs_.begin() + pair_start_[doc + 1];
    std::size_t best = 0, run = 0;
    for (auto pair : q.pairs) {
        run = std::binary_search(first, last, pair) ? run + 1 : 0;
        best = std::max(best, run);
    }
    return best;
}

retriever::result retriever::lookup(std::string_view query, std::size_t limit, std::string_view context) const
{
    auto r = first_stage(query, std::max(limit, rerank_depth), context);
    const auto& q = r.plan;
    // The second stage re-orders the first stage's best by the learned
    // chance that each answers, which becomes its score. Features read the
    // first-stage scores of every candidate, so the order changes after.
    const auto shape = shape_of(query);
    std::vector<double> chance(r.hits.size());
    for (std::size_t i = 0; i < r.hits.size(); ++i)
        chance[i] = relevance(features_of(r, i, shape));
    std::vector<std::size_t> order(r.hits.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return chance[a] > chance[b]; });
    order.resize(std::min(limit, order.size()));
    std::vector<hit> hits;
    bool quoted = q.known_code;
    for (auto i : order) {
        hits.push_back({r.hits[i].doc, chance[i], r.hits[i].coverage});
        if (hits.size() <= quote_checked_hits && !quoted)
            quoted =
                longest_quoted_run(q, static_cast<std::uint32_t>(r.hits[i].doc - sections().data())) >= quoted_pairs;
    }
    return {std::move(hits), q.unknown_share, q.unknown_name_share, q.api_missing, quoted};
}

bool retriever::asks_elsewhere(const result& looked, std::string_view question)
{
    return looked.api_missing || (!looked.quotes_corpus && !terms_of(question).empty() &&
                                  !in_scope(looked.unknown_share, looked.unknown_name_share));
}

bool retriever::names_elsewhere(const result& looked)
{
    return looked.api_missing || (!looked.quotes_corpus && looked.unknown_name_share > max_unknown_names);
}

std::vector<hit> find_sources(const retriever& index, std::string_view question, std::string_view selection,
                              std::size_t limit, std::string_view earlier)
{
    auto context = follow_up_context(question, earlier);
    return sources_from(index, index.lookup(question, limit, context), question, selection, limit, context);
}

std::vector<hit> sources_from(const retriever& index, retriever::result looked, std::string_view question,
                              std::string_view selection, std::size_t limit, std::string_view context)
{
    if (retriever::asks_elsewhere(looked, question))
        return {};
    auto& hits = looked.hits;
    // "Why?" or "What does this mean?" about a passage of the docs asks about
    // the passage: its words decide, as long as the question's own are not
    // another topic's (checked above).
    if (hits.empty() || !retriever::answers(hits.front())) {
        if (selection.empty())
            return {};
        std::string query(question);
        query.append(" ").append(selection.substr(0, 500));
        auto with_selection = index.lookup(query, limit, context);
        if (with_selection.hits.empty() || !retriever::answers(with_selection.hits.front()))
            return {};
    }
    // Weak matches beside a good one are noise to a reader. On the seen
    // question sets, a quarter of the best chance cuts no gold section and
    // leaves 4.2 sources an answer (4.8 at a tenth).
    auto drop_weak = [](std::vector<hit>& found, bool need_cover) {
        const double top = found.front().score;
        std::erase_if(found,
                      [&](const hit& h) { return (need_cover && !retriever::answers(h)) || h.score < top * 0.25; });
    };
    if (!selection.empty()) {
        std::string query(question);
        query.append(" ").append(selection.substr(0, 500));
        if (auto with_selection = index.search(query, limit, context); !with_selection.empty()) {
            drop_weak(with_selection, false); // its coverage counts the selection's words too
            return with_selection;
        }
    }
    drop_weak(hits, true);
    return hits;
}

} // namespace chatkit::chat
