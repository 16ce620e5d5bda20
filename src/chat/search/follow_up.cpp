#include "chatkit/chat/search/follow_up.hpp"

#include "chatkit/util/text.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace chatkit::chat {

namespace {

std::vector<std::string> lower_words(std::string_view text)
{
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '\'' || u >= 0x80) {
            word += static_cast<char>(std::tolower(u));
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty())
        words.push_back(std::move(word));
    return words;
}

// Openings that continue the previous question rather than ask a new one.
constexpr std::array<std::string_view, 8> continuations{"and", "also", "but",        "or",
                                                        "so",  "then", "what about", "how about"};
// Words that point at what was said before, anywhere in the question.
constexpr std::array<std::string_view, 6> pointers{"it", "its", "them", "they", "those", "these"};
// Words that point back as the question's subject or last word ("will that
// work over https?", "how do I test that?"), not as a conjunction later on
// ("how do I check that a port is free?").
constexpr std::array<std::string_view, 2> demonstratives{"that", "this"};
constexpr std::size_t subject_words = 3;
// A question of at most this many words names no topic of its own ("why?",
// "in German?"). A long run of non-ASCII text is a sentence of a script
// written without spaces, not a word.
constexpr std::size_t short_question = 2;
constexpr std::size_t long_unspaced_word = 9;

template <std::size_t N> bool one_of(const std::array<std::string_view, N>& list, std::string_view w)
{
    return std::find(list.begin(), list.end(), w) != list.end();
}

} // namespace

bool refers_back(std::string_view question)
{
    auto words = lower_words(question);
    if (words.empty())
        return false;
    bool unspaced = std::any_of(words.begin(), words.end(), [](const std::string& w) {
        return w.size() >= long_unspaced_word && static_cast<unsigned char>(w[0]) >= 0x80;
    });
    if (words.size() <= short_question && !unspaced)
        return true;
    std::string opening = words[0] + (words.size() > 1 ? " " + words[1] : "");
    if (one_of(continuations, words[0]) || one_of(continuations, opening))
        return true;
    if (one_of(demonstratives, words.back()))
        return true;
    for (std::size_t i = 0; i < words.size() && i < subject_words; ++i)
        if (one_of(demonstratives, words[i]))
            return true;
    return std::any_of(words.begin(), words.end(), [](const std::string& w) { return one_of(pointers, w); });
}

std::string_view follow_up_context(std::string_view question, std::string_view earlier)
{
    return refers_back(question) ? earlier : std::string_view();
}

} // namespace chatkit::chat
