#include "md_text.hpp"

#include "chatkit/chat/corpus/markdown.hpp"
#include "chatkit/util/text.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace chatkit::chat::md {

// The entities documentation actually uses; any other one stays as written.
void decode_entity(std::string& out, std::string_view entity)
{
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 28> named{{
        {"&amp;", '&'},      {"&lt;", '<'},       {"&gt;", '>'},       {"&quot;", '"'},     {"&apos;", '\''},
        {"&nbsp;", 0xA0},    {"&copy;", 0xA9},    {"&reg;", 0xAE},     {"&trade;", 0x2122}, {"&hellip;", 0x2026},
        {"&mdash;", 0x2014}, {"&ndash;", 0x2013}, {"&lsquo;", 0x2018}, {"&rsquo;", 0x2019}, {"&ldquo;", 0x201C},
        {"&rdquo;", 0x201D}, {"&times;", 0xD7},   {"&rarr;", 0x2192},  {"&larr;", 0x2190},  {"&harr;", 0x2194},
        {"&middot;", 0xB7},  {"&bull;", 0x2022},  {"&deg;", 0xB0},     {"&plusmn;", 0xB1},  {"&sect;", 0xA7},
        {"&laquo;", 0xAB},   {"&raquo;", 0xBB},   {"&euro;", 0x20AC},
    }};
    if (entity.starts_with("&#") && entity.size() > 3 && entity.back() == ';') {
        bool hex = entity[2] == 'x' || entity[2] == 'X';
        auto digits = entity.substr(hex ? 3 : 2, entity.size() - (hex ? 4 : 3));
        std::uint32_t cp = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        if (ec == std::errc() && end == digits.data() + digits.size()) {
            util::append_utf8(out, cp);
            return;
        }
    }
    for (auto& [name, cp] : named)
        if (name == entity) {
            util::append_utf8(out, cp);
            return;
        }
    out.append(entity);
}

std::size_t repair_utf8(std::string& text)
{
    std::size_t repairs = 0;
    std::string out;
    std::size_t i = 0;
    const auto n = text.size();
    auto cont = [&](std::size_t at) {
        return at < n && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80;
    };
    while (i < n) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = 0;
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF && cont(i + 1))
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF && cont(i + 1) && cont(i + 2)) {
            auto c1 = static_cast<unsigned char>(text[i + 1]);
            bool overlong = c == 0xE0 && c1 < 0xA0;
            bool surrogate = c == 0xED && c1 >= 0xA0;
            len = overlong || surrogate ? 0 : 3;
        } else if (c >= 0xF0 && c <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            auto c1 = static_cast<unsigned char>(text[i + 1]);
            bool overlong = c == 0xF0 && c1 < 0x90;
            bool too_big = c == 0xF4 && c1 >= 0x90;
            len = overlong || too_big ? 0 : 4;
        }
        if (len == 0) {
            if (repairs == 0)
                out.assign(text, 0, i);
            ++repairs;
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (repairs > 0)
            out.append(text, i, len);
        i += len;
    }
    if (repairs > 0)
        text = std::move(out);
    return repairs;
}

} // namespace chatkit::chat::md
