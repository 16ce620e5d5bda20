#include "chatkit/services/email_address.hpp"

#include "chatkit/util/text.hpp"

#include <cstdint>
#include <vector>

namespace chatkit::services {

namespace {

constexpr std::uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;

std::uint32_t adapt(std::uint32_t delta, std::uint32_t points, bool first)
{
    delta = first ? delta / damp : delta / 2;
    delta += delta / points;
    std::uint32_t k = 0;
    while (delta > ((base - tmin) * tmax) / 2) {
        delta /= base - tmin;
        k += base;
    }
    return k + (base - tmin + 1) * delta / (delta + skew);
}

char digit(std::uint32_t d)
{
    return static_cast<char>(d < 26 ? 'a' + d : '0' + d - 26);
}

// Code points of valid UTF-8; nullopt for anything else.
std::optional<std::u32string> code_points(std::string_view s)
{
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size())
            return std::nullopt;
        char32_t cp = len == 1 ? c : c & (0x3F >> (len - 1));
        for (std::size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return std::nullopt;
            cp = cp << 6 | (cc & 0x3F);
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

bool ascii_label_char(char32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// A letter of another script that may appear in a domain label: above ASCII,
// not a space, format character, symbol block or private use. Latin-1 capitals
// are lower-cased the way IDNA maps them.
std::optional<char32_t> idn_char(char32_t c)
{
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 0x20;
    bool excluded = c < 0xC0 || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF) ||
                    (c >= 0x3000 && c <= 0x303F) || (c >= 0xD800 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
                    c == 0xFEFF || c >= 0xFFF0;
    if (excluded)
        return std::nullopt;
    return c;
}

std::optional<std::string> domain_label(std::u32string label)
{
    if (label.empty())
        return std::nullopt;
    bool ascii = true;
    for (auto& c : label) {
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (ascii_label_char(c))
            continue;
        auto mapped = idn_char(c);
        if (!mapped)
            return std::nullopt;
        c = *mapped;
        ascii = false;
    }
    if (label.front() == '-' || label.back() == '-')
        return std::nullopt;
    std::string out;
    if (ascii) {
        for (auto c : label)
            out += static_cast<char>(c);
    } else {
        out = "xn--" + punycode(label);
    }
    if (out.size() > 63)
        return std::nullopt;
    return out;
}

} // namespace

std::string punycode(const std::u32string& label)
{
    std::string out;
    for (auto c : label)
        if (c < 0x80)
            out += static_cast<char>(c);
    const auto basic = static_cast<std::uint32_t>(out.size());
    if (basic > 0)
        out += '-';
    std::uint32_t n = 128, delta = 0, bias = 72, handled = basic;
    while (handled < label.size()) {
        std::uint32_t m = UINT32_MAX;
        for (auto c : label)
            if (c >= n && c < m)
                m = c;
        delta += (m - n) * (handled + 1);
        n = m;
        for (auto c : label) {
            if (c < n)
                ++delta;
            if (c != n)
                continue;
            std::uint32_t q = delta;
            for (std::uint32_t k = base;; k += base) {
                std::uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
                if (q < t)
                    break;
                out += digit(t + (q - t) % (base - t));
                q = (q - t) / (base - t);
            }
            out += digit(q);
            bias = adapt(delta, handled + 1, handled == basic);
            delta = 0;
            ++handled;
        }
        ++delta;
        ++n;
    }
    return out;
}

std::optional<std::string> normalize_email(std::string_view raw)
{
    raw = util::trim_space(raw);
    auto at = raw.rfind('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || raw.find('@') != at)
        return std::nullopt;
    std::string local;
    for (char c : raw.substr(0, at)) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-'))
            return std::nullopt;
        local += c;
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
        return std::nullopt;
    auto domain_points = code_points(raw.substr(at + 1));
    if (!domain_points)
        return std::nullopt;
    std::string domain;
    std::size_t labels = 0;
    std::u32string label;
    std::string last;
    for (std::size_t i = 0; i <= domain_points->size(); ++i) {
        if (i < domain_points->size() && (*domain_points)[i] != '.') {
            label.push_back((*domain_points)[i]);
            continue;
        }
        auto ascii = domain_label(label);
        if (!ascii)
            return std::nullopt;
        domain += (labels++ ? "." : "") + *ascii;
        last = *ascii;
        label.clear();
    }
    bool numeric_tld = last.find_first_not_of("0123456789") == std::string::npos;
    if (labels < 2 || numeric_tld || domain.size() > 253 || local.size() + 1 + domain.size() > 254)
        return std::nullopt;
    return local + "@" + domain;
}

} // namespace chatkit::services
