#include "chatkit/chat/follow_up.hpp"

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
constexpr std::array<std::string_view, 9> continuations{"and", "also", "but", "or", "so", "then", "why", "what about",
                                                        "how about"};
// Words that point at what was said before.
constexpr std::array<std::string_view, 11> pointers{"it",   "its",   "that", "this",  "these", "those",
                                                    "them", "they",  "there", "same", "one"};
// A question of at most this many words names no topic of its own
// ("why?", "on Windows?", "in German?").
constexpr std::size_t short_question = 3;

} // namespace

bool refers_back(std::string_view question)
{
    auto words = lower_words(question);
    if (words.size() <= short_question)
        return true;
    std::string opening = words[0] + (words.size() > 1 ? " " + words[1] : "");
    for (auto c : continuations)
        if (words[0] == c || opening == c)
            return true;
    return std::any_of(words.begin(), words.end(), [](const std::string& w) {
        return std::find(pointers.begin(), pointers.end(), w) != pointers.end();
    });
}

std::string_view follow_up_context(std::string_view question, std::string_view earlier)
{
    return refers_back(question) ? earlier : std::string_view();
}

} // namespace chatkit::chat
