#include "chatkit/chat/corpus/page_html.hpp"

#include "chatkit/chat/corpus/markdown_page.hpp"

#include <algorithm>

namespace chatkit::chat {

namespace {

class renderer {
public:
    renderer(const corpus& c, const page& p) : corpus_(&c)
    {
        auto slash = p.path.rfind('/');
        dir_ = slash == std::string::npos ? std::string() : p.path.substr(0, slash);
    }
    // An answer: no page around it, headings below the page's own three
    // levels, links to http(s) URLs (and to paths of this site only when
    // `local_links`).
    explicit renderer(bool local_links) : local_links_(local_links), heading_shift_(3) {}

    void blocks(const std::vector<md::block>& list)
    {
        for (const auto& b : list)
            block(b);
    }

    std::string out;

private:
    // Where a link in the page may lead; empty when nowhere safe.
    std::string target(const std::string& href) const
    {
        if (!corpus_)
            return answer_link(href, local_links_);
        if (href.starts_with("https://") || href.starts_with("http://"))
            return href;
        if (href.starts_with('#'))
            return href;
        if (href.empty() || href.find(':') != std::string::npos || href.starts_with("//"))
            return {}; // javascript:, data:, mailto: and protocol-relative links are not followed
        auto hash = href.find('#');
        auto path = href.substr(0, hash);
        // "/docs/guide/setup" on the published site, or a file path from here.
        const page* other = path.starts_with('/') ? corpus_->find_page(path) : nullptr;
        if (!other)
            if (auto file = join_path(path.starts_with('/') ? std::string() : dir_, path))
                other = corpus_->page_at(*file);
        if (!other)
            return {};
        return other->url + (hash == std::string::npos ? std::string() : href.substr(hash));
    }

    void inlines(const md::inlines& runs)
    {
        for (const auto& r : runs) {
            std::string text = html_escape(r.text);
            if (r.styles & md::code)
                text = "<code>" + text + "</code>";
            if (r.styles & md::strike)
                text = "<del>" + text + "</del>";
            if (r.styles & md::emphasis)
                text = "<em>" + text + "</em>";
            if (r.styles & md::strong)
                text = "<strong>" + text + "</strong>";
            if (auto to = r.href.empty() ? std::string() : target(r.href); !to.empty()) {
                std::string_view rel;
                if (!corpus_) // an answer's links, local ones too, leave a page whose address is a secret
                    rel = " rel=\"noopener noreferrer nofollow\"";
                else if (!to.starts_with('#') && !to.starts_with('/'))
                    rel = " rel=\"noopener nofollow\"";
                text = "<a href=\"" + html_escape(to) + "\"" + std::string(rel) + ">" + text + "</a>";
            }
            out += text;
        }
    }

    void block(const md::block& b)
    {
        switch (b.kind) {
        case md::block_kind::heading: {
            auto level = std::to_string(std::clamp(b.level + heading_shift_, 1 + heading_shift_, 6));
            if (!corpus_) { // no anchors: an answer's headings are not link targets
                out += "<h" + level + ">";
                inlines(b.text);
                out += "</h" + level + ">\n";
                break;
            }
            auto id = html_escape(b.id);
            out += "<h" + level + " id=\"" + id + "\">";
            inlines(b.text);
            out += " <a class=\"anchor\" href=\"#" + id + "\" aria-label=\"Link to this section\">#</a></h" + level +
                   ">\n";
            break;
        }
        case md::block_kind::paragraph:
            out += "<p>";
            inlines(b.text);
            out += "</p>\n";
            break;
        case md::block_kind::code:
            out += "<pre><code" + (b.lang.empty() ? std::string() : " class=\"language-" + html_escape(b.lang) + "\"") +
                   ">" + html_escape(b.code) + "</code></pre>\n";
            break;
        case md::block_kind::list:
            out += b.ordered ? "<ol" + (b.start != 1 ? " start=\"" + std::to_string(b.start) + "\"" : "") + ">\n"
                             : std::string("<ul>\n");
            for (const auto& item : b.items) {
                out += "<li>";
                // A tight item's single paragraph reads as a line, not a block.
                if (item.size() == 1 && item[0].kind == md::block_kind::paragraph)
                    inlines(item[0].text);
                else
                    blocks(item);
                out += "</li>\n";
            }
            out += b.ordered ? "</ol>\n" : "</ul>\n";
            break;
        case md::block_kind::table:
            out += "<div class=\"table\"><table>\n";
            for (std::size_t r = 0; r < b.rows.size(); ++r) {
                out += r == 0 ? "<thead><tr>" : "<tr>";
                for (const auto& cell : b.rows[r]) {
                    out += r == 0 ? "<th>" : "<td>";
                    inlines(cell);
                    out += r == 0 ? "</th>" : "</td>";
                }
                out += r == 0 ? "</tr></thead>\n<tbody>\n" : "</tr>\n";
            }
            out += "</tbody></table></div>\n";
            break;
        case md::block_kind::quote:
            out += "<blockquote>\n";
            blocks(b.children);
            out += "</blockquote>\n";
            break;
        case md::block_kind::aside:
            out += "<aside class=\"note\"><p class=\"label\">" + html_escape(b.label) + "</p>\n";
            blocks(b.children);
            out += "</aside>\n";
            break;
        case md::block_kind::rule:
            out += "<hr>\n";
            break;
        }
    }

    const corpus* corpus_ = nullptr; // null: an answer
    std::string dir_;
    bool local_links_ = false;
    int heading_shift_ = 0;
};

} // namespace

std::string html_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string page_html(const corpus& c, const page& p)
{
    renderer r(c, p);
    r.blocks(p.blocks);
    return std::move(r.out);
}

std::string answer_link(std::string_view href, bool local_links)
{
    // Browsers drop tabs and line breaks anywhere in a URL and spaces and
    // controls around it, so "/\t/evil.example" would be "//evil.example", a
    // host: such an href is refused before it is classified.
    if (std::any_of(href.begin(), href.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return {};
    if (href.starts_with("https://") || href.starts_with("http://"))
        return std::string(href);
    // A root-relative path, never "//host" nor "/\\host" (a browser reads both as a host).
    if (local_links && href.starts_with('/') && href.find_first_of("/\\", 1) != 1)
        return std::string(href);
    return {};
}

std::string answer_html(std::string_view markdown, bool local_links)
{
    renderer r(local_links);
    r.blocks(md::parse(markdown));
    return std::move(r.out);
}

} // namespace chatkit::chat
