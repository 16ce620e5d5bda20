#include "chatkit/chat/builtin_generator.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>

namespace chatkit::chat {

namespace {

struct candidate {
    std::string sentence;
    int source;   // 1-based source number; 0 for the reader's selection
    int position; // order inside its passage
    double score;
};

std::vector<std::string> sentences(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    for (std::size_t i = 0; i < text.size(); ++i) {
        current += text[i];
        bool end = (text[i] == '.' || text[i] == '?' || text[i] == '!') &&
                   (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n');
        if (end || text[i] == '\n') {
            auto first = current.find_first_not_of(" \n");
            if (first != std::string::npos && current.size() - first > 2)
                out.push_back(current.substr(first));
            current.clear();
        }
    }
    auto first = current.find_first_not_of(" \n");
    if (first != std::string::npos && current.size() - first > 2)
        out.push_back(current.substr(first));
    return out;
}

void collect(std::vector<candidate>& out, std::string_view text, int source, double weight,
             const std::set<std::string>& query_terms)
{
    int position = 0;
    for (auto& s : sentences(text)) {
        auto terms = tokenize(s);
        std::set<std::string> distinct(terms.begin(), terms.end());
        double overlap = 0;
        for (const auto& t : distinct)
            overlap += query_terms.count(t);
        out.push_back({std::move(s), source, position++, overlap * weight});
    }
}

} // namespace

std::vector<std::string> word_tokens(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto start = i;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n'))
            ++i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\n')
            ++i;
        out.emplace_back(text.substr(start, i - start));
    }
    return out;
}

std::string builtin_generator::compose(const grounding& g)
{
    auto q = tokenize(g.question);
    std::set<std::string> query_terms(q.begin(), q.end());
    std::vector<candidate> pool;
    bool use_selection = g.mode == "chat" && !g.selected_text.empty();
    if (use_selection)
        collect(pool, g.selected_text, 0, 2.0, query_terms);
    int number = 0;
    for (const auto& h : g.sources) {
        ++number;
        if (h.score >= min_relevance)
            collect(pool, h.doc->plain, number, h.score, query_terms);
    }
    std::erase_if(pool, [](const candidate& c) { return c.score <= 0; });
    if (pool.empty() && use_selection)
        collect(pool, g.selected_text, 0, 1.0, {}); // nothing matched: the selection is still the context asked about
    if (pool.empty())
        return "I could not find anything about that in the documentation. Try other words, or ask about a "
               "topic the documentation covers.";

    std::stable_sort(pool.begin(), pool.end(), [](const candidate& a, const candidate& b) { return a.score > b.score; });
    pool.resize(std::min<std::size_t>(pool.size(), 3));
    std::sort(pool.begin(), pool.end(), [](const candidate& a, const candidate& b) {
        return a.source != b.source ? a.source < b.source : a.position < b.position;
    });
    std::string answer = use_selection && pool.front().source == 0 ? "From the passage you selected: "
                                                                    : "From the documentation: ";
    for (std::size_t i = 0; i < pool.size(); ++i) {
        if (i)
            answer += ' ';
        answer += pool[i].sentence;
        if (pool[i].source > 0)
            answer += " [" + std::to_string(pool[i].source) + "]";
    }
    return answer;
}

boost::asio::awaitable<void> builtin_generator::generate(const grounding& g, const token_sink& emit)
{
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor);
    bool first = true;
    for (auto& token : word_tokens(compose(g))) {
        if (!first && pace_.count() > 0) {
            timer.expires_after(pace_);
            co_await timer.async_wait(boost::asio::use_awaitable); // throws when cancelled
        }
        first = false;
        co_await emit(std::move(token));
    }
}

} // namespace chatkit::chat
