#include "chatkit/chat/answer/answer_composer.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace chatkit::chat {

namespace {

bool abbreviation_before(std::string_view text, std::size_t dot)
{
    static const std::set<std::string, std::less<>> known{"e.g", "i.e",  "etc", "vs", "cf", "approx", "incl",
                                                          "esp", "resp", "fig", "no", "mr", "mrs",    "dr",
                                                          "st",  "ca",   "al",  "eg", "ie"};
    auto start = text.find_last_of(" (\t", dot == 0 ? 0 : dot - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::string word(text.substr(start, dot - start));
    for (auto& c : word)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (word.size() == 1 && std::isalpha(static_cast<unsigned char>(word[0])))
        return true; // an initial: "J. Smith"
    return known.contains(word);
}

} // namespace

std::vector<std::string> sentences_of(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    auto push = [&](std::size_t end) {
        auto piece = text.substr(start, end - start);
        auto first = piece.find_first_not_of(" \n\t");
        auto last = piece.find_last_not_of(" \n\t");
        if (first != std::string_view::npos && last - first >= 2)
            out.emplace_back(piece.substr(first, last - first + 1));
        start = end;
    };
    // Inside a link's text or a parenthesis a period ends no sentence
    // ("[Deployment, 2. PostgreSQL](…)", "(see step 2. Then …)"), but a
    // parenthesis that closes after one does ("(See setuid(2).) The id").
    // A closer without its opener counts for nothing; an opener never
    // closed ("a :-( face. Then") leaves the brackets out of it. Returns
    // the brackets left open.
    auto split = [&](bool brackets) {
        out.clear();
        start = 0;
        bool in_code = false;
        int nesting = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            char c = text[i];
            if (c == '\\') {
                ++i;
                continue;
            }
            if (c == '`')
                in_code = !in_code;
            std::size_t mark = i; // the sentence's last mark
            if (brackets && !in_code && (c == '[' || c == '('))
                ++nesting;
            if (brackets && !in_code && (c == ']' || c == ')') && nesting > 0) {
                if (--nesting > 0 || i == 0 || (text[i - 1] != '.' && text[i - 1] != '?' && text[i - 1] != '!'))
                    continue;
                mark = i - 1;
                c = text[mark];
            }
            if (in_code || nesting > 0 || (c != '.' && c != '?' && c != '!'))
                continue;
            std::size_t j = i + 1;
            while (j < text.size() && (text[j] == ')' || text[j] == '"' || text[j] == '\'' || text[j] == '*'))
                ++j;
            if (j < text.size() && text[j] != ' ' && text[j] != '\n')
                continue;
            std::size_t k = j;
            while (k < text.size() && (text[k] == ' ' || text[k] == '\n'))
                ++k;
            if (k < text.size()) {
                auto next = static_cast<unsigned char>(text[k]);
                bool starts = std::isupper(next) || std::isdigit(next) || next == '`' || next == '*' || next == '"' ||
                              next == '(' || next == '[' || next >= 0x80;
                if (!starts || (c == '.' && abbreviation_before(text, mark)))
                    continue;
            }
            push(j);
        }
        push(text.size());
        return nesting;
    };
    if (split(true) > 0)
        split(false);
    // A split inside emphasis ("**Warning: this deletes data. Back up.**")
    // would leave a marker open: such a piece joins the next.
    auto open_markup = [](const std::string& piece) {
        int strong = 0, ticks = 0;
        for (std::size_t i = 0; i < piece.size(); ++i) {
            if (piece[i] == '\\') {
                ++i;
                continue;
            }
            if (piece[i] == '`')
                ++ticks;
            else if (piece[i] == '*' && i + 1 < piece.size() && piece[i + 1] == '*' && ticks % 2 == 0) {
                ++strong;
                ++i;
            }
        }
        return strong % 2 == 1 || ticks % 2 == 1;
    };
    std::vector<std::string> joined;
    for (auto& piece : out) {
        if (!joined.empty() && open_markup(joined.back()))
            joined.back() += " " + piece;
        else
            joined.push_back(std::move(piece));
    }
    return joined;
}

} // namespace chatkit::chat
