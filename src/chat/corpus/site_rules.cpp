#include "chatkit/chat/corpus/site_rules.hpp"

#include "chatkit/util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace chatkit::chat {

namespace {

std::string strip_extension(std::string_view name)
{
    for (std::string_view ext : {".mdx", ".markdown", ".md"})
        if (name.ends_with(ext))
            return std::string(name.substr(0, name.size() - ext.size()));
    return std::string(name);
}

// Docusaurus drops "01-", "2_", "3. " number prefixes from file and folder
// names, but not what looks like a version or a date ("7.0-x", "2021-01-31-x").
std::string without_number_prefix(const std::string& segment)
{
    static const std::regex prefix(R"(^\d+\s*[-_.]+\s*([^-_.\s].*)$)");
    static const std::regex version_or_date(R"(^\d+[-_.]\d+.*$)");
    std::smatch m;
    if (std::regex_match(segment, version_or_date) || !std::regex_match(segment, m, prefix))
        return segment;
    return m[1].str();
}

std::vector<std::string> segments_of(std::string_view path)
{
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= path.size()) {
        auto end = path.find('/', at);
        if (end == std::string_view::npos)
            end = path.size();
        if (end > at)
            out.emplace_back(path.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

std::string joined(const std::vector<std::string>& parts)
{
    std::string out;
    for (const auto& p : parts)
        out.append(out.empty() ? "" : "/").append(p);
    return out;
}

// NFKD of U+00C0-U+024F kept to ASCII (generated with Python's unicodedata):
// what Python-Markdown's slugify leaves of each Latin letter.
constexpr std::array<std::string_view, 0x250 - 0xC0> latin_folded{
    "A",  "A",  "A",  "A",  "A",  "A",  "",   "C",  "E",  "E", "E", "E", "I", "I", "I",  "I",  "",  "N", "O", "O",
    "O",  "O",  "O",  "",   "",   "U",  "U",  "U",  "U",  "Y", "",  "",  "a", "a", "a",  "a",  "a", "a", "",  "c",
    "e",  "e",  "e",  "e",  "i",  "i",  "i",  "i",  "",   "n", "o", "o", "o", "o", "o",  "",   "",  "u", "u", "u",
    "u",  "y",  "",   "y",  "A",  "a",  "A",  "a",  "A",  "a", "C", "c", "C", "c", "C",  "c",  "C", "c", "D", "d",
    "",   "",   "E",  "e",  "E",  "e",  "E",  "e",  "E",  "e", "E", "e", "G", "g", "G",  "g",  "G", "g", "G", "g",
    "H",  "h",  "",   "",   "I",  "i",  "I",  "i",  "I",  "i", "I", "i", "I", "",  "IJ", "ij", "J", "j", "K", "k",
    "",   "L",  "l",  "L",  "l",  "L",  "l",  "L",  "l",  "",  "",  "N", "n", "N", "n",  "N",  "n", "n", "",  "",
    "O",  "o",  "O",  "o",  "O",  "o",  "",   "",   "R",  "r", "R", "r", "R", "r", "S",  "s",  "S", "s", "S", "s",
    "S",  "s",  "T",  "t",  "T",  "t",  "",   "",   "U",  "u", "U", "u", "U", "u", "U",  "u",  "U", "u", "U", "u",
    "W",  "w",  "Y",  "y",  "Y",  "Z",  "z",  "Z",  "z",  "Z", "z", "s", "",  "",  "",   "",   "",  "",  "",  "",
    "",   "",   "",   "",   "",   "",   "",   "",   "",   "",  "",  "",  "",  "",  "",   "",   "",  "",  "",  "",
    "",   "",   "",   "",   "O",  "o",  "",   "",   "",   "",  "",  "",  "",  "",  "",   "",   "",  "",  "",  "U",
    "u",  "",   "",   "",   "",   "",   "",   "",   "",   "",  "",  "",  "",  "",  "",   "",   "",  "",  "",  "",
    "DZ", "Dz", "dz", "LJ", "Lj", "lj", "NJ", "Nj", "nj", "A", "a", "I", "i", "O", "o",  "U",  "u", "U", "u", "U",
    "u",  "U",  "u",  "U",  "u",  "",   "A",  "a",  "A",  "a", "",  "",  "",  "",  "G",  "g",  "K", "k", "O", "o",
    "O",  "o",  "",   "",   "j",  "DZ", "Dz", "dz", "G",  "g", "",  "",  "N", "n", "A",  "a",  "",  "",  "",  "",
    "A",  "a",  "A",  "a",  "E",  "e",  "E",  "e",  "I",  "i", "I", "i", "O", "o", "O",  "o",  "R", "r", "R", "r",
    "U",  "u",  "U",  "u",  "S",  "s",  "T",  "t",  "",   "",  "H", "h", "",  "",  "",   "",   "",  "",  "A", "a",
    "E",  "e",  "O",  "o",  "O",  "o",  "O",  "o",  "O",  "o", "Y", "y", "",  "",  "",   "",   "",  "",  "",  "",
    "",   "",   "",   "",   "",   "",   "",   "",   "",   "",  "",  "",  "",  "",  "",   "",   "",  "",  "",  "",
};

// A code point at `at` of valid UTF-8, and its length.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t at)
{
    auto c = static_cast<unsigned char>(s[at]);
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (at + len > s.size())
        return {0xFFFD, 1};
    char32_t cp = len == 1 ? c : c & (0x3F >> (len - 1));
    for (std::size_t i = 1; i < len; ++i)
        cp = cp << 6 | (static_cast<unsigned char>(s[at + i]) & 0x3F);
    return {cp, len};
}

// Lower case as JavaScript's toLowerCase does it for Latin, Greek and
// Cyrillic capitals; other scripts have no case.
char32_t to_lower(char32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c == 0x178)
        return 0xFF;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x138 && c != 0x149 && c != 0x17F) {
        bool upper_even = (c < 0x138 || c > 0x148) && c < 0x179; // pairs start even, then odd
        return (upper_even ? c % 2 == 0 : c % 2 == 1) ? c + 1 : c;
    }
    return c;
}

// What github-slugger removes besides ASCII punctuation: Unicode
// punctuation, symbols and emoji (its character class, by block).
bool slugger_drops(char32_t c)
{
    return (c >= 0xA1 && c <= 0xBF && c != 0xAA && c != 0xB5 && c != 0xBA) || c == 0xD7 || c == 0xF7 ||
           (c >= 0x2000 && c <= 0x206F) || (c >= 0x20A0 && c <= 0x20CF) || (c >= 0x2100 && c <= 0x214F) ||
           (c >= 0x2190 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0x1F000 && c <= 0x1FAFF) ||
           c == 0xFEFF;
}

// github-slugger: lower case; ASCII punctuation other than '-' and '_',
// Unicode punctuation, symbols and emoji removed; each space a '-'.
std::string github_slug(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        auto [cp, len] = decode(text, i);
        i += len;
        if (cp == ' ') {
            out += '-';
            continue;
        }
        bool ascii_kept =
            (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '-' || cp == '_';
        if ((cp < 0x80 && !ascii_kept) || slugger_drops(cp))
            continue;
        util::append_utf8(out, to_lower(cp));
    }
    return out;
}

// Python-Markdown's toc slugify with its default (ASCII) setting: NFKD, then
// ASCII only (Latin letters keep their base letter), then only word
// characters, spaces and '-'; runs of spaces and '-' become one '-'.
std::string python_markdown_slug(std::string_view text)
{
    std::string ascii;
    for (std::size_t i = 0; i < text.size();) {
        auto [cp, len] = decode(text, i);
        i += len;
        if (cp < 0x80)
            ascii += static_cast<char>(cp);
        else if (cp >= 0xC0 && cp < 0x250)
            ascii.append(latin_folded[cp - 0xC0]);
    }
    std::string kept;
    for (char ch : ascii) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '_' || c == '-' || c == ' ' || c == '\t')
            kept += static_cast<char>(std::tolower(c));
    }
    auto first = kept.find_first_not_of(" \t");
    auto last = kept.find_last_not_of(" \t");
    kept = first == std::string::npos ? std::string() : kept.substr(first, last - first + 1);
    std::string out;
    for (char c : kept) {
        bool sep = c == ' ' || c == '\t' || c == '-';
        if (sep) {
            if (out.empty() || out.back() != '-')
                out += '-';
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

std::string url_path_encode(std::string_view path)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : path) {
        auto c = static_cast<unsigned char>(ch);
        bool safe = std::isalnum(c) || std::string_view("-._~/!$&'()*+,;=:@").find(ch) != std::string_view::npos;
        if (safe) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::optional<site_kind> parse_site_kind(std::string_view name)
{
    if (name == "plain")
        return site_kind::plain;
    if (name == "mkdocs")
        return site_kind::mkdocs;
    if (name == "docusaurus")
        return site_kind::docusaurus;
    return std::nullopt;
}

std::string page_path(site_kind site, const std::string& relative_path, const front_matter& meta)
{
    if (site == site_kind::plain)
        return relative_path;
    auto parts = segments_of(relative_path);
    if (parts.empty())
        return {};
    auto file = strip_extension(parts.back());
    parts.pop_back();
    auto lowered = util::ascii_lower(file);
    if (site == site_kind::mkdocs) {
        if (lowered != "index" && lowered != "readme")
            parts.push_back(file);
        auto path = joined(parts);
        return path.empty() ? path : path + "/";
    }
    for (auto& p : parts)
        p = without_number_prefix(p);
    if (!meta.slug.empty()) {
        auto resolved = join_path(meta.slug.starts_with('/') ? std::string() : joined(parts), meta.slug);
        return resolved.value_or(std::string());
    }
    // A category index is decided by the file's name, whatever its id says.
    auto name = without_number_prefix(file);
    bool index = lowered == "index" || lowered == "readme" ||
                 (!parts.empty() && util::ascii_lower(name) == util::ascii_lower(parts.back()));
    if (!index)
        parts.push_back(meta.id.empty() ? name : meta.id);
    return joined(parts);
}

void anchor_slugger::reserve(std::string_view explicit_id)
{
    used_[std::string(explicit_id)];
}

std::string anchor_slugger::next(std::string_view heading_text, std::string_view explicit_id)
{
    if (!explicit_id.empty()) {
        used_[std::string(explicit_id)];
        return std::string(explicit_id);
    }
    if (site_ == site_kind::mkdocs) {
        // Python-Markdown's unique(): "x", then "x_1", "x_2"; an empty slug is "_1".
        auto id = python_markdown_slug(heading_text);
        static const std::regex counted(R"(^(.*)_([0-9]{1,9})$)");
        while (id.empty() || used_.contains(id)) {
            std::smatch m;
            if (std::regex_match(id, m, counted))
                id = m[1].str() + "_" + std::to_string(std::stol(m[2].str()) + 1);
            else
                id += "_1";
        }
        used_[id];
        return id;
    }
    // github-slugger: the n-th repeat of "x" is "x-n", skipping taken ones.
    auto original = github_slug(heading_text);
    auto id = original;
    while (used_.contains(id)) {
        int n = ++used_[original];
        id = original + "-" + std::to_string(n);
    }
    used_[id];
    return id;
}

} // namespace chatkit::chat
