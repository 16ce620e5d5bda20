#include "chatkit/chat/query_words.hpp"

#include "chatkit/chat/english.hpp"
#include "chatkit/chat/terms.hpp"

#include <algorithm>

namespace chatkit::chat {

namespace {

bool upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || upper(static_cast<char>(c)) || (c >= '0' && c <= '9') || c >= 0x80;
}

} // namespace

query_words classify_words(std::string_view question)
{
    query_words out;
    bool sentence_start = true;
    std::size_t i = 0;
    while (i < question.size()) {
        auto c = static_cast<unsigned char>(question[i]);
        if (!word_byte(c)) {
            if (c == '.' || c == '?' || c == '!' || c == ':' || c == '\n')
                sentence_start = true;
            ++i;
            continue;
        }
        auto start = i;
        while (i < question.size() && word_byte(static_cast<unsigned char>(question[i])))
            ++i;
        auto word = question.substr(start, i - start);
        bool first_word = sentence_start;
        sentence_start = false;
        if (std::all_of(word.begin(), word.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
            continue;
        std::string lowered(word);
        std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                       [](char ch) { return upper(ch) ? static_cast<char>(ch - 'A' + 'a') : ch; });
        bool named = std::any_of(word.begin() + 1, word.end(), upper) || (upper(word[0]) && !first_word);
        if (named)
            out.written_as_names.insert(lowered);
        if (named || !is_english_word(lowered))
            for (auto& t : terms_of(word))
                out.name_terms.insert(std::move(t));
    }
    return out;
}

} // namespace chatkit::chat
