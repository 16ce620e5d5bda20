#include "chatkit/chat/corpus/markdown_out.hpp"

#include <algorithm>

namespace chatkit::chat::md {

namespace {

std::size_t longest_run(std::string_view text, char c)
{
    std::size_t best = 0, run = 0;
    for (char ch : text) {
        run = ch == c ? run + 1 : 0;
        best = std::max(best, run);
    }
    return best;
}

void escape_into(std::string& out, std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool citation_like = c == '[' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]));
        // Text that was "&lt;string&gt;" in the source would read as a tag.
        if (c == '\\' || c == '*' || c == '`' || c == '<' || citation_like)
            out += '\\';
        out += c;
    }
}

std::string collapse_spaces(std::string_view text)
{
    std::string out;
    for (char c : text) {
        bool space = c == ' ' || c == '\n' || c == '\t';
        if (space && !out.empty() && out.back() == ' ')
            continue;
        out += space ? ' ' : c;
    }
    return out;
}

} // namespace

std::string to_markdown(const inlines& runs)
{
    // Runs that share emphasis and link are written as one segment, so
    // "**`a` and `b`**" stays one strong span around two code spans.
    constexpr std::uint8_t wrapping = emphasis | strong | strike;
    std::string out;
    for (std::size_t i = 0; i < runs.size();) {
        std::size_t j = i;
        std::string inner;
        while (j < runs.size() && (runs[j].styles & wrapping) == (runs[i].styles & wrapping) &&
               runs[j].href == runs[i].href) {
            auto text = collapse_spaces(runs[j].text);
            if (runs[j].styles & code) {
                if (auto core = text.find_first_not_of(' '); core != std::string::npos) {
                    std::string ticks(longest_run(text, '`') + 1, '`');
                    bool pad = text.front() == '`' || text.back() == '`';
                    inner += ticks + (pad ? " " : "") + text + (pad ? " " : "") + ticks;
                }
            } else {
                escape_into(inner, text);
            }
            ++j;
        }
        // Markers must hug their text: edge spaces go outside.
        auto first = inner.find_first_not_of(' ');
        if (first == std::string::npos) {
            out += inner.empty() ? "" : " ";
            i = j;
            continue;
        }
        auto last = inner.find_last_not_of(' ');
        std::string piece = inner.substr(first, last - first + 1);
        const auto styles = runs[i].styles;
        if (styles & strike)
            piece = "~~" + piece + "~~";
        if (styles & emphasis)
            piece = "*" + piece + "*";
        if (styles & strong)
            piece = "**" + piece + "**";
        const auto& href = runs[i].href;
        bool absolute = href.starts_with("https://") || href.starts_with("http://");
        if (absolute && href.find_first_of(" ()") == std::string::npos)
            piece = "[" + piece + "](" + href + ")";
        out += std::string(first > 0 ? " " : "") + piece + (last + 1 < inner.size() ? " " : "");
        i = j;
    }
    std::string collapsed = collapse_spaces(out);
    auto a = collapsed.find_first_not_of(' ');
    auto b = collapsed.find_last_not_of(' ');
    return a == std::string::npos ? std::string() : collapsed.substr(a, b - a + 1);
}

std::string fenced(const std::string& code, const std::string& lang, const std::string& indent)
{
    std::string ticks(std::max<std::size_t>(3, longest_run(code, '`') + 1), '`');
    std::string out = indent + ticks + lang + "\n";
    std::size_t at = 0;
    while (at < code.size()) {
        auto end = code.find('\n', at);
        if (end == std::string::npos)
            end = code.size();
        out.append(indent).append(code, at, end - at).append("\n");
        at = end + 1;
    }
    return out + indent + ticks;
}

std::string to_markdown(const block& b, const std::string& indent)
{
    switch (b.kind) {
    case block_kind::heading:
        return indent + "**" + to_markdown(b.text) + "**";
    case block_kind::paragraph:
        return indent + to_markdown(b.text);
    case block_kind::code:
        return fenced(b.code, b.lang, indent);
    case block_kind::rule:
        return {};
    case block_kind::list: {
        std::string out;
        unsigned number = b.start;
        for (const auto& item : b.items) {
            std::string marker = b.ordered ? std::to_string(number++) + ". " : "- ";
            std::string inner(marker.size(), ' ');
            bool first = true;
            for (const auto& child : item) {
                auto text = to_markdown(child, indent + inner);
                if (text.empty())
                    continue;
                if (!out.empty())
                    out += "\n";
                if (first)
                    text = indent + marker + text.substr(indent.size() + inner.size());
                out += text;
                first = false;
            }
        }
        return out;
    }
    case block_kind::table: {
        std::string out;
        for (std::size_t r = 0; r < b.rows.size(); ++r) {
            out += indent + "|";
            for (const auto& cell : b.rows[r]) {
                auto text = to_markdown(cell);
                std::string safe;
                for (char c : text)
                    safe += c == '|' ? std::string("\\|") : std::string(1, c);
                out += " " + safe + " |";
            }
            out += "\n";
            if (r == 0) {
                out += indent + "|";
                for (std::size_t c = 0; c < b.rows[0].size(); ++c)
                    out += " --- |";
                out += "\n";
            }
        }
        if (!out.empty())
            out.pop_back();
        return out;
    }
    case block_kind::quote:
    case block_kind::aside: {
        std::string out = b.label.empty() ? std::string() : indent + "**" + b.label + ":**";
        for (const auto& child : b.children) {
            auto text = to_markdown(child, indent);
            if (text.empty())
                continue;
            out += (out.empty() ? "" : "\n\n") + text;
        }
        return out;
    }
    }
    return {};
}

} // namespace chatkit::chat::md
