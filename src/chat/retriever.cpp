#include "chatkit/chat/retriever.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace chatkit::chat {

namespace {

constexpr double k1 = 1.2;
constexpr double b = 0.75;

const std::unordered_set<std::string_view>& stop_words()
{
    static const std::unordered_set<std::string_view> words{
        "a",    "an",   "and",  "are",  "as",    "at",   "be",   "by",   "can",  "do",   "does", "for",
        "from", "how",  "i",    "in",   "is",    "it",   "its",  "me",   "my",   "of",   "on",   "or",
        "so",   "that", "the",  "this", "to",    "was",  "what", "when", "where", "which", "who", "why",
        "will", "with", "you",  "your", "there", "their", "if",  "about", "into", "than", "then", "them"};
    return words;
}

std::string stem(std::string w)
{
    if (w.size() > 4 && w.ends_with("ies"))
        return w.substr(0, w.size() - 3) + "y";
    if (w.size() > 3 && w.ends_with("s") && !w.ends_with("ss") && !w.ends_with("us"))
        w.pop_back();
    return w;
}

} // namespace

std::vector<std::string> tokenize(std::string_view text)
{
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty() && !stop_words().contains(word))
            out.push_back(stem(std::move(word)));
        word.clear();
    };
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            word += static_cast<char>(c);
        else if (c >= 'A' && c <= 'Z')
            word += static_cast<char>(c - 'A' + 'a');
        else
            flush();
    }
    flush();
    return out;
}

retriever::retriever(std::vector<section> sections) : sections_(std::move(sections))
{
    lengths_.resize(sections_.size());
    double total = 0;
    for (std::uint32_t i = 0; i < sections_.size(); ++i) {
        std::unordered_map<std::string, std::uint32_t> tf;
        auto body = tokenize(sections_[i].plain);
        for (auto& t : body)
            ++tf[t];
        auto title = tokenize(sections_[i].title);
        for (auto& t : title)
            tf[t] += 2;
        lengths_[i] = static_cast<double>(body.size() + 2 * title.size());
        total += lengths_[i];
        for (auto& [term, n] : tf)
            postings_[term].push_back({i, n});
    }
    average_length_ = sections_.empty() ? 1 : std::max(1.0, total / static_cast<double>(sections_.size()));
}

std::vector<hit> retriever::search(std::string_view query, std::size_t limit) const
{
    auto terms = tokenize(query);
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    const double n = static_cast<double>(sections_.size());
    std::unordered_map<std::uint32_t, double> scores;
    double best_possible = 0;
    for (const auto& term : terms) {
        auto it = postings_.find(term);
        double df = it == postings_.end() ? 0 : static_cast<double>(it->second.size());
        double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
        best_possible += idf * (k1 + 1);
        if (it == postings_.end())
            continue;
        for (const auto& p : it->second) {
            double tf = p.tf;
            double norm = k1 * (1 - b + b * lengths_[p.doc] / average_length_);
            scores[p.doc] += idf * tf * (k1 + 1) / (tf + norm);
        }
    }
    std::vector<hit> hits;
    hits.reserve(scores.size());
    for (auto& [doc, score] : scores)
        hits.push_back({&sections_[doc], best_possible > 0 ? std::min(1.0, score / best_possible) : 0.0});
    auto cut = std::min(limit, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(cut), hits.end(),
                      [](const hit& a, const hit& b2) {
                          return a.score != b2.score ? a.score > b2.score : a.doc->id < b2.doc->id;
                      });
    hits.resize(cut);
    return hits;
}

} // namespace chatkit::chat
