#include "html_text.hpp"

#include "md_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace chatkit::chat::md {

namespace {

constexpr std::array<std::string_view, 5> hidden{"script", "style", "svg", "template", "iframe"};
constexpr std::array<std::string_view, 27> breaking{
    "p",  "div",     "dt",         "dd",      "li",      "tr",     "br",         "h1",     "h2",
    "h3", "h4",      "h5",         "h6",      "pre",     "ul",     "ol",         "dl",     "table",
    "hr", "section", "blockquote", "details", "summary", "figure", "figcaption", "header", "footer"};

template <std::size_t N> bool listed(const std::array<std::string_view, N>& names, std::string_view name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

class reader {
public:
    std::vector<inlines> paragraphs;

    void text(std::string_view piece)
    {
        for (char c : piece) {
            bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
            if (space && (pending_space_ || current_.empty()))
                continue;
            if (space) {
                pending_space_ = true;
                continue;
            }
            if (pending_space_)
                append(" ");
            pending_space_ = false;
            append(std::string(1, c));
        }
    }

    void code(bool on) { code_ = on; }

    void cell() { pending_space_ = !current_.empty(); }

    void end_paragraph()
    {
        if (!current_.empty())
            paragraphs.push_back(std::move(current_));
        current_.clear();
        pending_space_ = false;
    }

private:
    void append(const std::string& piece)
    {
        std::uint8_t style = code_ ? md::code : md::plain;
        if (!current_.empty() && current_.back().styles == style)
            current_.back().text += piece;
        else
            current_.push_back({piece, {}, style});
    }

    inlines current_;
    bool code_ = false;
    bool pending_space_ = false;
};

// The '>' closing a tag, outside quoted attribute values
// (caption="Using `Rc<T>`").
std::size_t tag_end(std::string_view html, std::size_t from)
{
    for (std::size_t i = from; i < html.size(); ++i) {
        if (html[i] == '"' || html[i] == '\'') {
            auto close = html.find(html[i], i + 1);
            if (close == std::string_view::npos)
                return std::string_view::npos;
            i = close;
        } else if (html[i] == '>') {
            return i;
        }
    }
    return std::string_view::npos;
}

} // namespace

std::vector<inlines> html_paragraphs(std::string_view html)
{
    reader out;
    std::string hiding; // the element whose content is dropped, until it closes
    std::size_t i = 0;
    while (i < html.size()) {
        if (html.substr(i, 4) == "<!--") {
            auto end = html.find("-->", i + 4);
            i = end == std::string_view::npos ? html.size() : end + 3;
            continue;
        }
        if (html[i] == '<') {
            auto end = tag_end(html, i + 1);
            if (end == std::string_view::npos)
                break;
            auto tag = html.substr(i + 1, end - i - 1);
            i = end + 1;
            bool closing = !tag.empty() && tag.front() == '/';
            if (closing)
                tag.remove_prefix(1);
            std::string name;
            for (char c : tag) {
                if (!std::isalnum(static_cast<unsigned char>(c)))
                    break;
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            if (!hiding.empty()) {
                if (closing && name == hiding)
                    hiding.clear();
                continue;
            }
            if (!closing && listed(hidden, name) && !tag.ends_with('/'))
                hiding = name;
            else if (name == "code")
                out.code(!closing);
            else if (listed(breaking, name))
                out.end_paragraph();
            else if (name == "td" || name == "th")
                out.cell();
            continue;
        }
        auto next = html.find_first_of("<&", i + 1);
        if (next == std::string_view::npos)
            next = html.size();
        if (!hiding.empty()) {
            i = next;
            continue;
        }
        if (html[i] == '&') {
            auto semicolon = html.find(';', i);
            if (semicolon != std::string_view::npos && semicolon - i <= 32) {
                std::string decoded;
                decode_entity(decoded, html.substr(i, semicolon - i + 1));
                out.text(decoded);
                i = semicolon + 1;
                continue;
            }
        }
        out.text(html.substr(i, next - i));
        i = next;
    }
    out.end_paragraph();
    return out.paragraphs;
}

} // namespace chatkit::chat::md
