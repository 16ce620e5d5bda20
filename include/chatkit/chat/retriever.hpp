#pragma once

#include "chatkit/chat/corpus.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chatkit::chat {

// Lower-cased ASCII word tokens with light plural stemming, stop words
// removed. Non-ASCII bytes are kept inside words, so other scripts still
// match themselves.
[[nodiscard]] std::vector<std::string> tokenize(std::string_view text);

struct hit {
    const section* doc;
    double score; // [0, 1]: the BM25 score over the best score this query could reach
};

// An immutable BM25 index over a corpus (k1 = 1.2, b = 0.75; titles count
// twice). Built once per (re)load and shared read-only by every thread.
class retriever {
public:
    explicit retriever(std::vector<section> sections);

    [[nodiscard]] std::vector<hit> search(std::string_view query, std::size_t limit) const;
    [[nodiscard]] const std::vector<section>& sections() const { return sections_; }

private:
    struct posting {
        std::uint32_t doc;
        std::uint32_t tf;
    };
    std::vector<section> sections_;
    std::vector<double> lengths_;
    double average_length_ = 1;
    std::unordered_map<std::string, std::vector<posting>> postings_;
};

} // namespace chatkit::chat
