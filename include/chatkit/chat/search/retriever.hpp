#pragma once

#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/reranker.hpp"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace chatkit::chat {

struct hit {
    const section* doc;
    // [0, 1]: the estimated chance that the section answers (the second
    // stage, reranker.hpp); in the first stage, the BM25F score over the
    // most this query could score.
    double score;
    double coverage; // [0, 1]: the share of the question's weight (idf) this section contains
};

// An immutable BM25F index over a corpus, built once per (re)load and
// shared read-only by every thread. Five fields with their own weights and
// length normalisation: the section's heading, its trail (page title and
// parent headings), its lead, its prose, and its code. Query terms are
// expanded with documentation synonyms at a lower weight. A second stage
// re-orders the best 40 by a learned model of what else tells an answering
// section (reranker.hpp): where the words matched, side by side or not, an
// API heading for a how-to question, other good sections on the page.
class retriever {
public:
    explicit retriever(std::shared_ptr<const corpus> source);
    // The spelling index points into the word set: neither copied nor moved.
    retriever(const retriever&) = delete;
    retriever& operator=(const retriever&) = delete;

    // `context`: an earlier question a follow-up refers to; its words count
    // at context_weight, and never as the reader's own (coverage aside, the
    // relevance decision reads only the question's words).
    [[nodiscard]] std::vector<hit> search(std::string_view query, std::size_t limit,
                                          std::string_view context = {}) const;

    struct result {
        std::vector<hit> hits;
        // The share of the question's weight (idf) in words the corpus does
        // not hold at all, even after spelling correction: the names of
        // other products, other topics.
        double unknown_share;
        // The part of it in words written as names or not English.
        double unknown_name_share;
        // The reader names an API of a namespace the corpus documents
        // ("fs.glob" beside fs.readFile, fs.watch) that it does not have:
        // another version's, or none.
        bool api_missing = false;
        // One of the best sections holds three of the question's
        // neighbouring word pairs, one after another as the question has
        // them (four content words in its order; stop words aside; prose
        // and headings, not code): the reader pasted an error message, a log
        // line or a sentence of the docs, whatever else the question names.
        // So does a code a program prints ("EADDRINUSE", "ERR_REQUIRE_ESM")
        // that the corpus holds.
        bool quotes_corpus = false;
    };
    [[nodiscard]] result lookup(std::string_view query, std::size_t limit, std::string_view context = {}) const;
    // The question asks about something this corpus is not about: an API
    // it lacks, or words it never uses (another product, another topic),
    // unless it quotes the corpus. Stop words alone ("Why?") name no topic.
    [[nodiscard]] static bool asks_elsewhere(const result& looked, std::string_view question);
    // The narrower part of it that no closeness of meaning overrules: an API
    // the corpus lacks, or names it never uses ("Django", "Munich"). Plain
    // words it never uses are what a paraphrase has.
    [[nodiscard]] static bool names_elsewhere(const result& looked);
    // Checked on the development corpora, their follow-ups and every
    // question asked after an unrelated one (bench --chain): at full weight
    // the earlier topic outranked the new one. 0.3 to 0.5 keep the
    // follow-ups' gains (Rust book, Kubernetes); a reader who changes topic
    // loses 0.009 MRR@5 on Node.js and 0.014 on this repository's docs at
    // 0.4, against 0.016 and 0.021 at 0.5; at 0.3 "and on PostgreSQL?" after
    // a backup question no longer finds the backup section (follow_up_test).
    static constexpr double context_weight = 0.4;

    // The first stage's best `depth` candidates with what the second stage
    // sees of them, in first-stage order: the training data of the model.
    [[nodiscard]] std::vector<std::pair<hit, features>> candidates(std::string_view query, std::size_t depth,
                                                                   std::string_view context = {}) const;

    // Whether a hit is evidence for an answer: it must hold a fair part of
    // what the question asks about.
    [[nodiscard]] static bool answers(const hit& h) { return h.coverage >= min_coverage; }
    static constexpr double min_coverage = 0.1;
    // A question about something the corpus never mentions (another
    // product, another topic) has words no section holds. One name the
    // corpus lacks ("Django") is enough to say so; ordinary English words
    // it lacks ("sluggish") must be a good part of the question.
    [[nodiscard]] static bool in_scope(double unknown_share, double unknown_name_share)
    {
        return unknown_name_share <= max_unknown_names && unknown_share <= max_unknown_words;
    }
    static constexpr double max_unknown_names = 0.12;
    static constexpr double max_unknown_words = 0.5;
    static constexpr std::size_t quote_checked_hits = 3;
    static constexpr std::size_t quoted_pairs = 3; // neighbouring pairs in a row: four words

    [[nodiscard]] const std::vector<section>& sections() const { return source_->sections(); }
    [[nodiscard]] const corpus& source() const { return *source_; }

private:
    static constexpr std::size_t fields = 5;        // heading, trail, lead, prose, code
    static constexpr std::size_t max_concepts = 64; // covered concepts are bits of a mask
    static constexpr std::size_t max_corrections = 16;
    struct posting {
        std::uint32_t doc;
        std::array<std::uint16_t, fields> tf;
    };
    struct query_term {
        std::string term;
        double weight;
        std::size_t concept_index;
        bool asked;              // the reader's own word (or its spelling correction), not a synonym
        bool other_form = false; // asked, in another form: weighs in the question once, with the word
        bool context = false;    // a word of the earlier question a follow-up refers to
        double idf = 0;
        const std::vector<posting>* postings = nullptr;
    };
    struct query_plan {
        std::vector<query_term> terms;
        std::vector<double> concepts; // weight of each concept: the idf of its most common form
        double unknown_share = 0;
        double unknown_name_share = 0;
        std::vector<std::uint32_t> pairs; // the reader's neighbouring words, as pair_hash
        bool api_missing = false;
        bool known_code = false; // query_words::codes: one the corpus holds
    };
    [[nodiscard]] query_plan plan(std::string_view query, std::string_view context) const;
    // The most of the question's neighbouring pairs that section `doc`
    // holds one after another.
    [[nodiscard]] std::size_t longest_quoted_run(const query_plan& q, std::uint32_t doc) const;
    struct first_stage_result {
        query_plan plan;
        std::vector<hit> hits;              // best first, at most the depth asked for
        std::vector<std::uint64_t> covered; // per hit, the concepts it holds (bits)
        double best_possible = 0, all_concepts = 0;
    };
    [[nodiscard]] first_stage_result first_stage(std::string_view query, std::size_t depth,
                                                 std::string_view context = {}) const;
    [[nodiscard]] features features_of(const first_stage_result& r, std::size_t rank, question_shape shape) const;
    static constexpr std::size_t rerank_depth = 40;
    // A word the corpus does not use, replaced by one it does a typo away;
    // otherwise the word itself.
    [[nodiscard]] std::string correction(const std::string& word) const;
    void add_identifier_parts(const section& s, std::vector<std::string>& terms);
    static constexpr std::size_t min_abbreviation = 3;
    static constexpr std::size_t max_abbreviation = 5;

    std::shared_ptr<const corpus> source_;
    std::vector<std::array<float, fields>> length_norm_;    // per section: 1 - b + b * len / avg, per field
    std::vector<std::array<std::uint16_t, fields>> length_; // per section: terms per field
    // Per section, its neighbouring terms (heading, lead, prose) as sorted
    // pair_hash values: section i's are pairs_[pair_start_[i], pair_start_[i + 1]).
    static std::uint32_t pair_hash(const std::string& a, const std::string& b);
    std::vector<std::uint32_t> pair_start_;
    std::vector<std::uint32_t> pairs_;
    std::unordered_map<std::string, std::vector<posting>> postings_;
    // The corpus's words as written, and by first byte and length: the
    // candidates of a spelling correction.
    static std::uint32_t spelling_key(char first, std::size_t length)
    {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(first)) << 24 |
               static_cast<std::uint32_t>(std::min<std::size_t>(length, 0xFFFFFF));
    }
    std::unordered_set<std::string> words_;
    std::unordered_set<std::string> abbreviations_; // stemmed parts of API headings' identifiers
    std::unordered_set<std::string> namespaces_;    // first parts of API headings ("fs" of "fs.rm(path)")
    bool documents_flags_ = false;                  // a heading names a command-line flag ("--inspect")
    std::unordered_map<std::uint32_t, std::vector<const std::string*>> spelling_;
};

// The sections that answer a question, best first; none when the corpus
// does not cover it (the answer then says so and cites nothing). A reader's
// selection says what "this" is, so it joins the query, while the relevance
// decision stays with the question's own words. `earlier`: the question
// before this one in the conversation, searched with it when this one
// refers back to it (follow_up.hpp).
[[nodiscard]] std::vector<hit> find_sources(const retriever& index, std::string_view question,
                                            std::string_view selection, std::size_t limit,
                                            std::string_view earlier = {});

// The same from a lookup of the question already made (`context`: what
// follow_up_context gave), for a caller that read the lookup first.
[[nodiscard]] std::vector<hit> sources_from(const retriever& index, retriever::result looked, std::string_view question,
                                            std::string_view selection, std::size_t limit, std::string_view context);

} // namespace chatkit::chat
