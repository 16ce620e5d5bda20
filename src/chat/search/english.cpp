#include "chatkit/chat/search/english.hpp"

#include "chatkit/chat/search/english_words.hpp"
#include "chatkit/chat/search/terms.hpp"
#include "chatkit/util/text.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace chatkit::chat {

namespace {

struct word_list_entries {
    std::vector<std::string> common; // listed in lower case: "python", "mongoose"
    std::vector<std::string> proper; // listed only capitalised: "Kilimanjaro", "PostgreSQL"
};

void sort_unique(std::vector<std::string>& words)
{
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    words.shrink_to_fit();
}

word_list_entries load()
{
    word_list_entries out;
    auto text = english_word_list();
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string line(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        // Possessives ("carpet's") add nothing a reader's query would hold;
        // a contraction is written without its apostrophe too ("doesnt",
        // "whats", "ive"), and is a common word whatever its capital ("I've").
        if (line.empty())
            continue;
        auto apostrophe = line.find('\'');
        if (line.ends_with("'s") && !is_stop_word(util::ascii_lower(line.substr(0, line.size() - 2))))
            continue;
        std::erase(line, '\'');
        bool capitalised = apostrophe == std::string::npos && line[0] >= 'A' && line[0] <= 'Z';
        (capitalised ? out.proper : out.common).push_back(util::ascii_lower(line));
    }
    sort_unique(out.common);
    sort_unique(out.proper);
    std::erase_if(out.proper,
                  [&](const std::string& w) { return std::binary_search(out.common.begin(), out.common.end(), w); });
    return out;
}

const word_list_entries& entries()
{
    static const word_list_entries words = load();
    return words;
}

} // namespace

bool is_english_word(std::string_view lowered)
{
    const auto& words = entries().common;
    return std::binary_search(words.begin(), words.end(), lowered, std::less<>{});
}

bool is_proper_noun(std::string_view lowered)
{
    const auto& words = entries().proper;
    return std::binary_search(words.begin(), words.end(), lowered, std::less<>{});
}

} // namespace chatkit::chat
