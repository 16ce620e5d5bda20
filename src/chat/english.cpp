#include "chatkit/chat/english.hpp"

#include "chatkit/util/text.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace chatkit::chat {

namespace {

constexpr const char* word_list = "/usr/share/dict/words";

std::vector<std::string> load()
{
    std::vector<std::string> words;
    std::ifstream in(word_list);
    for (std::string line; std::getline(in, line);) {
        // Possessives ("carpet's") add nothing a reader's query would hold.
        if (line.empty() || line.find('\'') != std::string::npos)
            continue;
        words.push_back(util::ascii_lower(line));
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    words.shrink_to_fit();
    return words;
}

} // namespace

bool is_english_word(std::string_view lowered)
{
    static const std::vector<std::string> words = load();
    return std::binary_search(words.begin(), words.end(), lowered, std::less<>{});
}

} // namespace chatkit::chat
