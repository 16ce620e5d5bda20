#include "chatkit/chat/site_rules.hpp"

#include <algorithm>
#include <regex>

namespace chatkit::chat {

namespace {

std::string lower_ascii(std::string s)
{
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string strip_extension(std::string_view name)
{
    for (std::string_view ext : {".mdx", ".markdown", ".md"})
        if (name.ends_with(ext))
            return std::string(name.substr(0, name.size() - ext.size()));
    return std::string(name);
}

// Docusaurus drops "01-", "2_", "3. " number prefixes from file and folder names.
std::string without_number_prefix(const std::string& segment)
{
    static const std::regex prefix(R"(^\d+\s*[-_.]+\s*([^-_.\s].*)$)");
    std::smatch m;
    return std::regex_match(segment, m, prefix) ? m[1].str() : segment;
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

// github-slugger: ASCII punctuation other than '-' and '_' is removed, each
// space becomes '-', other characters (letters of any script) stay.
std::string github_slug(std::string_view text)
{
    std::string out;
    for (char ch : lower_ascii(std::string(text))) {
        auto c = static_cast<unsigned char>(ch);
        if (c == ' ')
            out += '-';
        else if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
            out += ch;
    }
    return out;
}

// NFKD then ASCII-only, for the letters of Latin-1: accented letters keep
// their base letter; letters without a decomposition (Æ, ß, Ø) vanish.
std::string_view folded_latin1(unsigned cp)
{
    static constexpr std::string_view upper[] = {"A", "A", "A", "A", "A", "A", "",  "C", "E", "E", "E",
                                                 "E", "I", "I", "I", "I", "",  "N", "O", "O", "O", "O",
                                                 "O", "",  "",  "U", "U", "U", "U", "Y", "",  ""};
    if (cp >= 0xC0 && cp < 0xE0)
        return upper[cp - 0xC0];
    if (cp >= 0xE0 && cp <= 0xFF) {
        static constexpr std::string_view lower[] = {"a", "a", "a", "a", "a", "a", "",  "c", "e", "e", "e",
                                                     "e", "i", "i", "i", "i", "",  "n", "o", "o", "o", "o",
                                                     "o", "",  "",  "u", "u", "u", "u", "y", "",  "y"};
        return lower[cp - 0xE0];
    }
    return {};
}

// Python-Markdown's toc slugify with its default (ASCII) setting.
std::string python_markdown_slug(std::string_view text)
{
    std::string ascii;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ascii += static_cast<char>(c);
        } else if ((c == 0xC3) && i + 1 < text.size()) {
            ascii.append(folded_latin1(0xC0 + (static_cast<unsigned char>(text[i + 1]) & 0x3F)));
            ++i;
        }
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
    auto lowered = lower_ascii(file);
    if (site == site_kind::mkdocs) {
        if (lowered != "index" && lowered != "readme")
            parts.push_back(file);
        auto path = joined(parts);
        return path.empty() ? path : path + "/";
    }
    for (auto& p : parts)
        p = without_number_prefix(p);
    if (!meta.slug.empty()) {
        if (meta.slug.starts_with('/'))
            return joined(segments_of(meta.slug));
        auto rel = segments_of(meta.slug);
        parts.insert(parts.end(), rel.begin(), rel.end());
        return joined(parts);
    }
    auto name = meta.id.empty() ? without_number_prefix(file) : meta.id;
    bool index = lowered == "index" || lowered == "readme" || (!parts.empty() && name == parts.back());
    if (!index || !meta.id.empty())
        parts.push_back(name);
    return joined(parts);
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
        static const std::regex counted(R"(^(.*)_([0-9]+)$)");
        while (id.empty() || used_.contains(id)) {
            std::smatch m;
            if (std::regex_match(id, m, counted))
                id = m[1].str() + "_" + std::to_string(std::stoi(m[2].str()) + 1);
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
