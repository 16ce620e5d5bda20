#include "chatkit/chat/query_words.hpp"

#include "chatkit/chat/english.hpp"
#include "chatkit/chat/terms.hpp"
#include "chatkit/util/text.hpp"

#include <algorithm>
#include <vector>

namespace chatkit::chat {

namespace {

bool upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Which bytes are the reader's own data rather than words about a topic:
// text in backticks or quotes, and paths ("build/assets/img", ".png").
std::vector<bool> literal_bytes(std::string_view q)
{
    std::vector<bool> literal(q.size(), false);
    for (std::size_t i = 0; i < q.size(); ++i) {
        char c = q[i];
        bool opens = c == '`' || ((c == '\'' || c == '"') && (i == 0 || space(q[i - 1]) || q[i - 1] == '('));
        if (!opens)
            continue;
        auto close = q.find(c, i + 1);
        if (close == std::string_view::npos)
            continue;
        std::fill(literal.begin() + static_cast<std::ptrdiff_t>(i),
                  literal.begin() + static_cast<std::ptrdiff_t>(close) + 1, true);
        i = close;
    }
    for (std::size_t i = 0; i < q.size();) {
        if (space(q[i])) {
            ++i;
            continue;
        }
        auto end = i;
        while (end < q.size() && !space(q[end]))
            ++end;
        auto run = q.substr(i, end - i);
        if (run.find_first_of("/\\") != std::string_view::npos || run.front() == '.')
            std::fill(literal.begin() + static_cast<std::ptrdiff_t>(i),
                      literal.begin() + static_cast<std::ptrdiff_t>(end), true);
        i = end;
    }
    return literal;
}

} // namespace

query_words classify_words(std::string_view question)
{
    query_words out;
    const auto literal = literal_bytes(question);
    bool sentence_start = true;
    std::size_t i = 0;
    while (i < question.size()) {
        auto c = static_cast<unsigned char>(question[i]);
        if (!word_char(c)) {
            if (c == '.' || c == '?' || c == '!' || c == ':' || c == '\n')
                sentence_start = true;
            ++i;
            continue;
        }
        auto start = i;
        while (i < question.size() && word_char(static_cast<unsigned char>(question[i])))
            ++i;
        auto word = question.substr(start, i - start);
        bool first_word = sentence_start;
        sentence_start = false;
        if (literal[start] || std::all_of(word.begin(), word.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
            continue;
        auto lowered = util::ascii_lower(word);
        // "FATAL ERROR" is shouting, "EMFILE" a name; so are listed
        // capitals ("IDE", "CI"): a reader writes them so either way.
        bool shouted = std::all_of(word.begin(), word.end(), [](char ch) { return !(ch >= 'a' && ch <= 'z'); }) &&
                       (is_english_word(lowered) || is_proper_noun(lowered));
        bool named = !shouted && (std::any_of(word.begin() + 1, word.end(), upper) || (upper(word[0]) && !first_word));
        if (named)
            out.written_as_names.insert(lowered);
        if (named || (!shouted && !is_english_word(lowered))) {
            auto terms = terms_of(word);
            bool camel = std::any_of(word.begin(), word.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }) &&
                         std::any_of(word.begin() + 1, word.end(), upper);
            if (camel && terms.size() > 1)
                out.identifiers.insert(terms.back()); // after its parts (terms_of)
            for (auto& t : terms)
                out.name_terms.insert(std::move(t));
        }
    }
    return out;
}

} // namespace chatkit::chat
