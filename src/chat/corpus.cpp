#include "chatkit/chat/corpus.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace chatkit::chat {

std::string slugify(std::string_view text)
{
    std::string out;
    bool dash = false;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += static_cast<char>(c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
            dash = false;
        } else if (!out.empty() && !dash) {
            out += '-';
            dash = true;
        }
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out.empty() ? "section" : out;
}

std::string plain_text(std::string_view md)
{
    std::string out;
    out.reserve(md.size());
    bool space = false;
    auto put = [&](char c) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !out.empty();
            return;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    };
    bool line_start = true;
    for (std::size_t i = 0; i < md.size(); ++i) {
        char c = md[i];
        if (line_start) {
            // Block markers only count at the start of a line: "> quote",
            // "# heading", "- item", "* item". Elsewhere they are text.
            if (c == ' ' || c == '\t' || c == '>' || c == '#')
                continue;
            if ((c == '-' || c == '*' || c == '+') && i + 1 < md.size() && md[i + 1] == ' ')
                continue;
            line_start = false;
        }
        if (c == '\n') {
            line_start = true;
            put(c);
            continue;
        }
        if (c == '!' && i + 1 < md.size() && md[i + 1] == '[') { // image: drop entirely
            auto close = md.find(')', i);
            if (close == std::string_view::npos)
                break;
            i = close;
            continue;
        }
        if (c == '[') { // link: keep the text, drop the target
            auto mid = md.find("](", i);
            auto close = mid == std::string_view::npos ? mid : md.find(')', mid);
            if (close != std::string_view::npos && md.substr(i, mid - i).find('\n') == std::string_view::npos) {
                for (char t : md.substr(i + 1, mid - i - 1))
                    put(t);
                i = close;
                continue;
            }
        }
        // Emphasis and code markers go; underscores stay (SECRET_KEY).
        if (c == '*' || c == '`')
            continue;
        put(c == '|' ? ' ' : c);
    }
    return out;
}

std::string excerpt(std::string_view text, std::size_t max)
{
    if (text.size() <= max)
        return std::string(text);
    std::size_t cut = max - 3; // room for "…" (3 bytes)
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    auto space = text.rfind(' ', cut);
    if (space != std::string_view::npos && space > max / 2)
        cut = space;
    return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

std::vector<section> split_sections(const std::string& relative_path, const std::string& markdown,
                                    const std::string& url_prefix)
{
    auto base = relative_path.ends_with(".md") ? relative_path.substr(0, relative_path.size() - 3) : relative_path;
    auto path_slug = slugify(base);
    std::vector<section> out;
    std::map<std::string, int> used;
    std::string doc_title;
    section current;
    bool in_fence = false;

    auto flush = [&] {
        auto plain = plain_text(current.text);
        if (plain.empty())
            return; // a heading with nothing under it adds nothing to answer from
        auto anchor = current.title.empty() ? std::string() : slugify(current.title);
        auto key = anchor.empty() ? std::string("intro") : anchor;
        if (int n = used[key]++; n > 0)
            key.append("-").append(std::to_string(n + 1));
        current.id = path_slug;
        current.id.append("#").append(key);
        current.url = url_prefix;
        current.url.append(base);
        if (!anchor.empty())
            current.url.append("#").append(anchor);
        if (current.title.empty())
            current.title = doc_title.empty() ? base : doc_title;
        current.plain = std::move(plain);
        out.push_back(std::move(current));
        current = {};
    };

    // The document's title (its first heading) also names its preamble.
    {
        std::istringstream scan(markdown);
        std::string line;
        bool fenced = false;
        while (doc_title.empty() && std::getline(scan, line)) {
            if (line.starts_with("```") || line.starts_with("~~~"))
                fenced = !fenced;
            auto level = line.find_first_not_of('#');
            if (!fenced && level >= 1 && level <= 3 && level < line.size() && line[level] == ' ')
                doc_title = plain_text(line.substr(level + 1));
        }
    }

    std::istringstream in(markdown);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.starts_with("```") || line.starts_with("~~~"))
            in_fence = !in_fence;
        std::size_t level = 0;
        while (!in_fence && level < line.size() && line[level] == '#')
            ++level;
        if (level >= 1 && level <= 3 && level < line.size() && line[level] == ' ') {
            flush();
            current.title = plain_text(line.substr(level + 1));
            continue;
        }
        current.text += line;
        current.text += '\n';
    }
    flush();
    return out;
}

std::vector<section> load_corpus(const std::filesystem::path& dir, const std::string& url_prefix)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw std::runtime_error("CORPUS_DIR is not a folder: " + dir.string());
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".md")
            files.push_back(it->path());
    if (ec)
        throw std::runtime_error("cannot read CORPUS_DIR " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<section> all;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        auto relative = std::filesystem::relative(file, dir).generic_string();
        for (auto& s : split_sections(relative, ss.str(), url_prefix))
            all.push_back(std::move(s));
    }
    return all;
}

} // namespace chatkit::chat
