#include "chatkit/util/text.hpp"

#include <cstdint>

namespace chatkit::util {

std::string ascii_lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

namespace {

bool invisible(std::uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0xA0 ||
           cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || (cp >= 0x2060 && cp <= 0x2064) || cp == 0x3000 || cp == 0xFEFF;
}

// The code point starting at `at` and its length in bytes.
std::pair<std::uint32_t, std::size_t> decode(std::string_view s, std::size_t at)
{
    auto c = static_cast<unsigned char>(s[at]);
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (at + len > s.size())
        return {0xFFFD, 1};
    std::uint32_t cp = len == 1 ? c : c & (0x3F >> (len - 1));
    for (std::size_t i = 1; i < len; ++i)
        cp = cp << 6 | (static_cast<unsigned char>(s[at + i]) & 0x3F);
    return {cp, len};
}

} // namespace

std::string_view trim_space(std::string_view s)
{
    std::size_t first = 0;
    while (first < s.size()) {
        auto [cp, len] = decode(s, first);
        if (!invisible(cp))
            break;
        first += len;
    }
    std::size_t end = s.size();
    while (end > first) {
        std::size_t start = end - 1;
        while (start > first && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
            --start;
        auto [cp, len] = decode(s, start);
        if (!invisible(cp))
            break;
        end = start;
    }
    return s.substr(first, end - first);
}

void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace chatkit::util
