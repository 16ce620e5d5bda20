#include "chatkit/chat/corpus/markdown_page.hpp"

#include "front_matter.hpp"
#include "shortcodes.hpp"

#include "chatkit/util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace chatkit::chat {

namespace {

constexpr int max_include_depth = 4;

std::vector<std::string> split_lines(std::string_view text)
{
    std::vector<std::string> lines;
    std::size_t at = 0;
    while (at <= text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos)
            end = text.size();
        std::string line(text.substr(at, end - at));
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(std::move(line));
        at = end + 1;
    }
    if (!lines.empty() && lines.back().empty())
        lines.pop_back();
    return lines;
}

// Columns of leading whitespace (a tab counts to the next multiple of 4).
int indent_of(std::string_view line)
{
    int col = 0;
    for (char c : line) {
        if (c == ' ')
            ++col;
        else if (c == '\t')
            col += 4 - col % 4;
        else
            return col;
    }
    return -1; // blank
}

std::string dedent(std::string_view line, int columns)
{
    int col = 0;
    std::size_t i = 0;
    while (i < line.size() && col < columns && (line[i] == ' ' || line[i] == '\t')) {
        col += line[i] == '\t' ? 4 - col % 4 : 1;
        ++i;
    }
    std::string out(static_cast<std::size_t>(std::max(0, col - columns)), ' ');
    out.append(line.substr(i));
    return out;
}

std::string capitalized(std::string word)
{
    if (!word.empty() && word[0] >= 'a' && word[0] <= 'z')
        word[0] = static_cast<char>(word[0] - 'a' + 'A');
    std::replace(word.begin(), word.end(), '-', ' ');
    return word;
}

std::string language_of(std::string_view path)
{
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> by_ext{{
        {".py", "python"},
        {".js", "javascript"},
        {".mjs", "javascript"},
        {".ts", "typescript"},
        {".tsx", "tsx"},
        {".jsx", "jsx"},
        {".sh", "sh"},
        {".json", "json"},
        {".yaml", "yaml"},
        {".yml", "yaml"},
        {".toml", "toml"},
        {".cpp", "cpp"},
        {".go", "go"},
        {".rs", "rust"},
        {".sql", "sql"},
        {".html", "html"},
    }};
    auto dot = path.rfind('.');
    if (dot == std::string_view::npos)
        return {};
    for (auto& [ext, lang] : by_ext)
        if (path.substr(dot) == ext)
            return std::string(lang);
    return {};
}

const std::regex& admonition_re()
{
    // Python-Markdown's: the type, then classes ("inline end"), then a title
    // that runs to the last quote (it may hold a link with a quoted title).
    static const std::regex re(R"re(^(!!!|\?\?\?\+?)\s+([A-Za-z][\w-]*)(?:\s+[\w-]+)*(?:\s+"(.*)")?\s*$)re");
    return re;
}
const std::regex& tab_re()
{
    static const std::regex re(R"re(^===\+?\s+"([^"]*)"\s*$)re");
    return re;
}
const std::regex& block_re()
{
    static const std::regex re(R"re(^///\s*([A-Za-z][\w-]*)(?:\s*\|\s*(.*?))?\s*$)re");
    return re;
}
const std::regex& colon_re()
{
    static const std::regex re(R"re(^(:{3,})\s*([A-Za-z][\w.-]*)(?:\[([^\]]*)\]|\s+(.*?))?\s*$)re");
    return re;
}
const std::regex& fastapi_include_re()
{
    static const std::regex re(R"re(^\{\*\s*(\S+).*\*\}\s*$)re");
    return re;
}
const std::regex& markdown_include_re()
{
    static const std::regex re(R"re(^\{!\s*(\S+?)\s*!\}\s*$)re");
    return re;
}
const std::regex& snippet_re()
{
    static const std::regex re(R"re(^-{1,3}8<-{1,3}\s+["']([^"']+)["']\s*$)re");
    return re;
}
// mkdocs-include-markdown-plugin: {% include-markdown "x.md" %}, {% include "x.yml" %}.
const std::regex& jinja_include_re()
{
    static const std::regex re(R"re(^\{%-?\s*include(?:-markdown)?\s+["']([^"']+)["'][^%]*-?%\}\s*$)re");
    return re;
}
const std::regex& mdx_re()
{
    static const std::regex re(
        R"re(^(import\s.*\sfrom\s+['"].*|import\s+['"].*|export\s+(const|default|function|let)\b.*)$)re");
    return re;
}
const std::regex& abbreviation_re()
{
    static const std::regex re(R"re(^\*\[[^\]]+\]:\s)re");
    return re;
}

bool is_admonition_type(std::string_view t)
{
    static constexpr std::array<std::string_view, 22> types{
        "note",    "tip",   "info",      "warning",  "danger",   "caution",   "important", "success",
        "failure", "bug",   "example",   "quote",    "abstract", "summary",   "tldr",      "hint",
        "check",   "error", "attention", "question", "details",  "admonition"};
    std::string lower(t);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::find(types.begin(), types.end(), lower) != types.end();
}

// A closing fence: at least as many of the opening character, then nothing.
bool closes_fence(std::string_view t, std::string_view fence)
{
    if (!t.starts_with(fence))
        return false;
    auto rest = t.find_first_not_of(fence[0]);
    return rest == std::string_view::npos || t.find_first_not_of(" \t", rest) == std::string_view::npos;
}

// The marker of a fence this (dedented) line opens, or empty: three or more
// backticks whose info string has no backtick (else it is inline code), or
// three or more tildes.
std::string opens_fence(std::string_view t)
{
    if (!t.starts_with("```") && !t.starts_with("~~~"))
        return {};
    auto end = t.find_first_not_of(t[0]);
    auto marker = t.substr(0, end);
    if (t[0] == '`' && end != std::string_view::npos && t.find('`', end) != std::string_view::npos)
        return {};
    return std::string(marker);
}

// Lines no directive can be: long ones are prose or minified code, and
// std::regex would recurse once per character on them.
constexpr std::size_t max_directive_line = 1024;
// Containers in containers deeper than this are read as text.
constexpr int max_container_nesting = 16;
// What includes may add to one page, in all.
constexpr std::size_t include_budget = 4 * 1024 * 1024;

// `[label]: target` lines: md4c resolves reference links only within the
// text it is given, so each chunk of a page carries the page's definitions.
std::string reference_definitions(const std::vector<std::string>& lines)
{
    static const std::regex definition(R"re(^ {0,3}\[[^\]]+\]:\s*\S.*$)re");
    std::string out;
    std::string fence;
    for (const auto& line : lines) {
        int indent = indent_of(line);
        std::string t = indent < 0 ? std::string() : dedent(line, indent);
        if (!fence.empty()) {
            if (closes_fence(t, fence))
                fence.clear();
            continue;
        }
        if (fence = opens_fence(t); !fence.empty())
            continue;
        if (line.size() <= max_directive_line && line.find("]:") != std::string::npos &&
            std::regex_match(line, definition))
            out.append(line).append("\n");
    }
    return out;
}

class page_parser {
public:
    page_parser(std::string dir, const include_reader& read, std::string references)
        : dir_(std::move(dir)), read_(read), references_(std::move(references))
    {
    }

    std::vector<md::block> parse(const std::vector<std::string>& lines, int depth, int nesting = 0)
    {
        std::vector<md::block> out;
        std::string pending;
        auto flush = [&] {
            if (pending.find_first_not_of(" \t\n") != std::string::npos)
                for (auto& b : md::parse(references_.empty() ? pending : pending + "\n" + references_))
                    out.push_back(std::move(b));
            pending.clear();
        };
        auto keep = [&pending](std::string_view line) {
            pending.append(line).append("\n");
        };
        std::string fence;     // the open fence's marker, empty outside one
        std::string mdx_fence; // Docusaurus renders an mdx-code-block's body as MDX: content, not code
        std::size_t i = 0;
        while (i < lines.size()) {
            const std::string& line = lines[i];
            int indent = indent_of(line);
            std::string t = indent < 0 ? std::string() : dedent(line, indent);
            std::smatch m;
            bool maybe_directive = !t.empty() && t.size() <= max_directive_line &&
                                   std::string_view("!?=/:{-ie*").find(t[0]) != std::string_view::npos;
            bool may_nest = nesting < max_container_nesting;
            if (!fence.empty()) {
                if (closes_fence(t, fence))
                    fence.clear();
                if (maybe_directive &&
                    (std::regex_match(t, m, snippet_re()) || std::regex_match(t, m, jinja_include_re()))) {
                    // A snippet inside a fence is the fence's code.
                    if (auto included = include(m[1].str(), depth))
                        for (auto& l : split_lines(included->first))
                            keep(std::string(static_cast<std::size_t>(indent), ' ') + l);
                } else {
                    keep(line);
                }
                ++i;
                continue;
            }
            if (!mdx_fence.empty() && closes_fence(t, mdx_fence)) {
                mdx_fence.clear();
                ++i;
                continue;
            }
            if (auto opened = opens_fence(t); !opened.empty()) {
                if (mdx_fence.empty() && util::trim(std::string_view(t).substr(opened.size())) == "mdx-code-block") {
                    mdx_fence = std::move(opened);
                    ++i;
                    continue;
                }
                fence = std::move(opened);
                keep(line);
                ++i;
                continue;
            }
            if (!maybe_directive) {
                keep(prose_line(lines, i));
                ++i;
                continue;
            }
            if (may_nest && std::regex_match(t, m, admonition_re())) {
                flush();
                auto label = m[3].matched ? m[3].str() : capitalized(m[2].str());
                i = aside_by_indent(lines, i, indent, std::move(label), depth, nesting, out);
                continue;
            }
            if (may_nest && std::regex_match(t, m, tab_re())) {
                flush();
                i = aside_by_indent(lines, i, indent, m[1].str(), depth, nesting, out);
                continue;
            }
            if (may_nest && std::regex_match(t, m, block_re())) {
                flush();
                auto label = m[2].matched && m[2].length() > 0 ? m[2].str() : capitalized(m[1].str());
                i = aside_until(lines, i, indent, "///", std::move(label), depth, nesting, out);
                continue;
            }
            if (may_nest && std::regex_match(t, m, colon_re())) {
                flush();
                if (is_admonition_type(m[2].str())) {
                    auto label = m[3].matched ? m[3].str() : m[4].matched ? m[4].str() : std::string();
                    if (label.empty())
                        label = capitalized(m[2].str());
                    i = aside_until(lines, i, indent, m[1].str(), std::move(label), depth, nesting, out);
                } else {
                    i = skip_indented(lines, i + 1, indent); // mkdocstrings: rendered from Python, not here
                }
                continue;
            }
            if (std::regex_match(t, m, fastapi_include_re()) || std::regex_match(t, m, markdown_include_re()) ||
                std::regex_match(t, m, snippet_re()) || std::regex_match(t, m, jinja_include_re())) {
                flush();
                insert_file(m[1].str(), depth, out);
                ++i;
                continue;
            }
            if ((indent == 0 && std::regex_match(t, mdx_re())) || std::regex_search(t, abbreviation_re())) {
                ++i;
                continue;
            }
            keep(prose_line(lines, i));
            ++i;
        }
        flush();
        return out;
    }

    // A line of prose with its site syntax resolved. A call or comment
    // wrapped over the next lines (at most sixteen, within the paragraph: a
    // Hugo call may take a line per argument) takes them along when it
    // closes there; otherwise the line stands alone.
    static std::string prose_line(const std::vector<std::string>& lines, std::size_t& i)
    {
        if (!opens_site_syntax(lines[i]))
            return resolve_site_syntax(lines[i]);
        std::string joined = lines[i];
        for (std::size_t next = i + 1; next < lines.size() && next <= i + 16; ++next) {
            auto t = util::trim(lines[next]);
            if (t.empty() || !opens_fence(std::string(t)).empty())
                break;
            joined.append(" ").append(t);
            if (!opens_site_syntax(joined)) {
                i = next;
                return resolve_site_syntax(joined);
            }
        }
        return resolve_site_syntax(lines[i]);
    }

private:
    // The included file's text and its path, within depth and budget.
    std::optional<std::pair<std::string, std::string>> include(const std::string& target, int depth)
    {
        if (depth >= max_include_depth)
            return std::nullopt;
        for (const auto& base : {dir_, std::string()})
            if (auto path = join_path(base, target))
                if (auto text = read_(*path)) {
                    if (text->size() > include_budget - std::min(included_bytes_, include_budget))
                        return std::nullopt;
                    included_bytes_ += text->size();
                    return std::pair{std::move(*text), *path};
                }
        return std::nullopt;
    }

    void insert_file(const std::string& target, int depth, std::vector<md::block>& out)
    {
        auto found = include(target, depth);
        if (!found)
            return;
        auto& [text, path] = *found;
        if (target.ends_with(".md")) {
            // A file that includes itself, or one of its includers, stops there.
            if (std::find(including_.begin(), including_.end(), path) != including_.end())
                return;
            including_.push_back(path);
            for (auto& b : parse(split_lines(text), depth + 1))
                out.push_back(std::move(b));
            including_.pop_back();
            return;
        }
        auto code = md::make_block(md::block_kind::code);
        code.code = std::move(text);
        if (!code.code.empty() && code.code.back() != '\n')
            code.code += '\n';
        code.lang = language_of(target);
        out.push_back(std::move(code));
    }

    static std::size_t skip_indented(const std::vector<std::string>& lines, std::size_t i, int indent)
    {
        while (i < lines.size()) {
            int in = indent_of(lines[i]);
            if (in >= 0 && in <= indent)
                break;
            ++i;
        }
        return i;
    }

    // MkDocs style: the body is every following line indented four more
    // than the marker (blank lines included, trailing ones not).
    std::size_t aside_by_indent(const std::vector<std::string>& lines, std::size_t start, int indent, std::string label,
                                int depth, int nesting, std::vector<md::block>& out)
    {
        std::size_t end = skip_indented(lines, start + 1, indent);
        std::vector<std::string> body;
        for (std::size_t j = start + 1; j < end; ++j)
            body.push_back(dedent(lines[j], indent + 4));
        out.push_back(aside(std::move(label), parse(body, depth, nesting + 1)));
        return end;
    }

    // Fenced style (`///`, `:::`): the body runs to a line of the same marker.
    // Nested openers of the same marker are counted so their closers do not
    // end this one.
    std::size_t aside_until(const std::vector<std::string>& lines, std::size_t start, int indent,
                            const std::string& marker, std::string label, int depth, int nesting,
                            std::vector<md::block>& out)
    {
        std::vector<std::string> body;
        int nested = 0;
        std::string fence; // a marker line inside a code sample is code
        std::size_t j = start + 1;
        for (; j < lines.size(); ++j) {
            int in = indent_of(lines[j]);
            std::string t = in < 0 ? std::string() : dedent(lines[j], in);
            if (!fence.empty() || !opens_fence(t).empty()) {
                if (fence.empty())
                    fence = opens_fence(t);
                else if (closes_fence(t, fence))
                    fence.clear();
                body.push_back(dedent(lines[j], indent));
                continue;
            }
            auto after = t.find_first_not_of(marker[0]);
            if (t.starts_with(marker) && (after == std::string::npos || after == marker.size())) {
                auto rest = t.find_first_not_of(" \t", marker.size());
                if (rest == std::string::npos && nested-- == 0)
                    break;
                if (rest != std::string::npos)
                    ++nested;
            }
            body.push_back(dedent(lines[j], indent));
        }
        out.push_back(aside(std::move(label), parse(body, depth, nesting + 1)));
        return std::min(j + 1, lines.size());
    }

    static md::block aside(std::string label, std::vector<md::block> children)
    {
        auto b = md::make_block(md::block_kind::aside);
        b.label = std::move(label);
        b.children = std::move(children);
        return b;
    }

    std::string dir_;
    const include_reader& read_;
    std::string references_;
    std::vector<std::string> including_; // the .md files being included, outermost first
    std::size_t included_bytes_ = 0;
};

} // namespace

std::optional<std::string> join_path(std::string_view base_dir, std::string_view target)
{
    if (target.starts_with('/'))
        target.remove_prefix(1), base_dir = {};
    std::vector<std::string> parts;
    auto push = [&parts](std::string_view path) {
        std::size_t at = 0;
        while (at <= path.size()) {
            auto end = path.find('/', at);
            if (end == std::string_view::npos)
                end = path.size();
            auto part = path.substr(at, end - at);
            if (part == "..") {
                if (parts.empty())
                    return false;
                parts.pop_back();
            } else if (!part.empty() && part != ".") {
                parts.emplace_back(part);
            }
            at = end + 1;
        }
        return true;
    };
    if (!push(base_dir) || !push(target) || parts.empty())
        return std::nullopt;
    std::string out;
    for (const auto& p : parts)
        out.append(out.empty() ? "" : "/").append(p);
    return out;
}

page_source parse_page(std::string_view text, const std::string& relative_path, const include_reader& read)
{
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    auto lines = split_lines(text);
    page_source page;
    page.meta = read_front_matter(lines);
    auto slash = relative_path.rfind('/');
    page_parser parser(slash == std::string::npos ? std::string() : relative_path.substr(0, slash), read,
                       reference_definitions(lines));
    page.blocks = parser.parse(lines, 0);
    return page;
}

} // namespace chatkit::chat
