#include "front_matter.hpp"

namespace chatkit::chat {

namespace {

std::string unquote(std::string v)
{
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.pop_back();
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        return v.substr(1, v.size() - 2);
    return v;
}

// "--- " closes front matter as "---" does: Hugo and Jekyll read past trailing spaces.
bool is_line(std::string_view line, std::string_view marker)
{
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
        line.remove_suffix(1);
    return line == marker;
}

} // namespace

front_matter read_front_matter(std::vector<std::string>& lines)
{
    front_matter meta;
    if (lines.empty() || !is_line(lines[0], "---"))
        return meta;
    std::size_t end = 1;
    while (end < lines.size() && !is_line(lines[end], "---") && !is_line(lines[end], "..."))
        ++end;
    if (end == lines.size())
        return meta; // no closing line: a thematic break, not front matter

    // The top-level key an indented line belongs to.
    std::string parent;
    for (std::size_t i = 1; i < end; ++i) {
        const auto& l = lines[i];
        auto colon = l.find(':');
        if (colon == std::string::npos)
            continue;
        bool nested = l.starts_with(' ') || l.starts_with('\t');
        auto start = l.find_first_not_of(" \t");
        auto key = l.substr(start, colon - start);
        auto value = unquote(l.substr(l.find_first_not_of(" \t", colon + 1) == std::string::npos
                                          ? l.size()
                                          : l.find_first_not_of(" \t", colon + 1)));
        if (nested) {
            // MkDocs Material: `search:` then `  exclude: true` keeps a page out of the site's search.
            if (parent == "search" && key == "exclude")
                meta.search_exclude = value == "true";
            continue;
        }
        parent = key;
        if (key == "title")
            meta.title = value;
        else if (key == "slug")
            meta.slug = value;
        else if (key == "id")
            meta.id = value;
    }
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(end + 1));
    return meta;
}

} // namespace chatkit::chat
