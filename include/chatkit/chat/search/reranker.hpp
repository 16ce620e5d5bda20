#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace chatkit::chat {

// The second stage of retrieval: what it knows of one candidate section,
// each a number in about [0, 1] so that one set of weights fits any corpus. A
// namespace of its own keeps names such as `depth` out of chatkit::chat.
namespace feature {
enum index : std::size_t {
    bm25f,      // the BM25F score over the most the question could score
    in_heading, // the part of that score from each field
    in_trail,
    in_lead,
    in_prose,
    in_code,
    from_synonyms,      // the part from words the reader did not write
    coverage,           // the share of the question's weight (idf) the section holds
    heading_coverage,   // ... in its heading
    trail_coverage,     // ... in the page title and parent headings
    lead_coverage,      // ... in its first paragraph
    heading_precision,  // the share of the heading's words the question holds
    api_heading,        // the heading names an API ("fs.rm(path)", "--cpu-prof")
    depth,              // how deep the heading sits, over 5
    body_length,        // log of the prose's length, over 10
    rank_prior,         // 1 / (1 + first-stage rank)
    how_to_api,         // a how-to question and an API heading
    concept_api,        // a why / what-is question and an API heading
    code_coverage,      // the share of the question's weight in its code
    phrases,            // the share of the question's word pairs the section has side by side
    identifier_heading, // an identifier the reader wrote joined by . _ or - ("fs.rm", "ERR_X") is in the heading
    page_evidence,      // the best other candidate of the same page, over the best candidate
    count
};
} // namespace feature
using features = std::array<double, feature::count>;

// What a question asks for, as far as the heading it wants is concerned.
struct question_shape {
    bool how_to = false;     // "how do I …", "what's the way to …": an API answers
    bool conceptual = false; // "why …", "what is …", "difference between …": prose answers
};
[[nodiscard]] question_shape shape_of(std::string_view question);

// The learned relevance of a candidate: a probability in (0, 1).
[[nodiscard]] double relevance(const features& f);

} // namespace chatkit::chat
