#include "shortcodes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace chatkit::chat {

namespace {

struct scan_result {
    std::string text;
    bool unclosed = false;
};

// The value of `name="..."` among a call's arguments, if any.
std::optional<std::string_view> argument(std::string_view args, std::string_view name)
{
    for (std::size_t at = args.find(name); at != std::string_view::npos; at = args.find(name, at + 1)) {
        bool starts = at == 0 || args[at - 1] == ' ' || args[at - 1] == '\t';
        auto value = at + name.size();
        if (!starts || args.substr(value, 2) != "=\"")
            continue;
        auto end = args.find('"', value + 2);
        return args.substr(value + 2, end == std::string_view::npos ? std::string_view::npos : end - value - 2);
    }
    return std::nullopt;
}

// Where a call's arguments end (the index of its closing delimiter),
// skipping quoted strings, which may hold the delimiter's characters.
std::size_t call_end(std::string_view line, std::size_t from, std::string_view close)
{
    for (std::size_t i = from; i < line.size(); ++i) {
        if (line[i] == '"') {
            auto quote = line.find('"', i + 1);
            if (quote == std::string_view::npos)
                return std::string_view::npos;
            i = quote;
            continue;
        }
        if (line.substr(i, close.size()) == close)
            return i;
    }
    return std::string_view::npos;
}

// What a Hugo call renders as, as far as its arguments tell.
std::string_view shown(std::string_view args)
{
    for (std::string_view name : {"text", "term_id", "file"})
        if (auto value = argument(args, name))
            return *value;
    return {};
}

bool name_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':';
}

// The length of an attribute list at `at` (Python-Markdown's attr_list,
// goldmark's attributes): "{ .md-button }", "{: #id .wide }", alone on a
// block's last line or after a link, or "{ width="300" }" after a link or an
// image; 0 when the braces hold anything else (a placeholder, an object).
std::size_t attribute_list(std::string_view line, std::size_t at)
{
    std::size_t i = at + 1;
    if (i < line.size() && line[i] == ':')
        ++i;
    bool marked = false, any = false;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
            ++i;
            continue;
        }
        if (line[i] == '}') {
            bool after_link = at > 0 && line[at - 1] == ')';
            return any && (marked || after_link) ? i + 1 - at : 0;
        }
        auto start = i;
        if (line[i] == '.' || line[i] == '#') {
            while (++i < line.size() && name_char(line[i])) {
            }
            if (i == start + 1)
                return 0;
            marked = true;
        } else {
            while (i < line.size() && name_char(line[i]))
                ++i;
            if (i == start || i == line.size() || line[i] != '=')
                return 0;
            if (++i < line.size() && (line[i] == '"' || line[i] == '\'')) {
                auto quote = line.find(line[i], i + 1);
                if (quote == std::string_view::npos)
                    return 0;
                i = quote + 1;
            } else {
                while (i < line.size() && line[i] != ' ' && line[i] != '}')
                    ++i;
            }
        }
        if (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '}')
            return 0;
        any = true;
    }
    return 0;
}

// What closes a template tag opening at `at`, or nothing: "{%" and "{# "
// tags, and "{{" expressions that are not Hugo calls ("{{<", "{{%") nor
// mdBook's or Handlebars' blocks ("{{#include}}", "{{#each}}").
std::string_view template_close(std::string_view line, std::size_t at)
{
    if (line.substr(at, 2) == "{%")
        return "%}";
    if (line.substr(at, 2) == "{#" && at + 2 < line.size() && (line[at + 2] == ' ' || line[at + 2] == '-'))
        return "#}";
    if (line.substr(at, 2) == "{{" && at + 2 < line.size() && line[at + 2] != '<' && line[at + 2] != '%' &&
        line[at + 2] != '#')
        return "}}";
    return {};
}

constexpr std::array<std::string_view, 4> mdbook_calls{"include", "rustdoc_include", "playground", "title"};

scan_result scan(std::string_view line)
{
    scan_result out;
    out.text.reserve(line.size());
    // A heading's "{#id}" names its anchor; the Markdown reader takes it.
    const bool heading = line.substr(std::min(line.size(), line.find_first_not_of(" \t"))).starts_with('#');
    std::size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        if (c == '`') { // a code span: copied as it is, up to a closing run of the same length
            auto run_end = line.find_first_not_of('`', i);
            auto run = (run_end == std::string_view::npos ? line.size() : run_end) - i;
            auto close = line.find(line.substr(i, run), i + run);
            auto end = close == std::string_view::npos ? line.size() : close + run;
            out.text.append(line.substr(i, end - i));
            i = end;
            continue;
        }
        if (line.substr(i, 4) == "<!--") {
            auto close = line.find("-->", i + 4);
            if (close == std::string_view::npos) {
                out.unclosed = true;
                out.text.append(line.substr(i));
                break;
            }
            i = close + 3;
            continue;
        }
        if (line.substr(i, 2) == "{{" && i + 2 < line.size() && (line[i + 2] == '<' || line[i + 2] == '%')) {
            char kind = line[i + 2];
            std::string close = std::string(1, kind == '<' ? '>' : '%') + "}}";
            auto end = call_end(line, i + 3, close);
            if (end == std::string_view::npos) {
                out.unclosed = true;
                out.text.append(line.substr(i));
                break;
            }
            auto args = line.substr(i + 3, end - i - 3);
            auto first = args.find_first_not_of(" \t");
            auto last = args.find_last_not_of(" \t");
            auto trimmed = first == std::string_view::npos ? std::string_view{} : args.substr(first, last - first + 1);
            if (trimmed.starts_with("/*") && trimmed.ends_with("*/"))
                out.text.append("{{").append(1, kind).append(trimmed.substr(2, trimmed.size() - 4)).append(close);
            else
                out.text.append(shown(trimmed));
            i = end + close.size();
            continue;
        }
        // Jinja, Nunjucks and Liquid (Eleventy, Jekyll, MkDocs macros):
        // "{% from 'x.html' import tabs %}", "{{ npx_tabs({ args: [...] }) }}",
        // "{# note #}" are template logic the reader never sees.
        if (auto close = template_close(line, i); !close.empty()) {
            auto end = call_end(line, i + 2, close);
            if (end == std::string_view::npos) {
                out.unclosed = true;
                out.text.append(line.substr(i));
                break;
            }
            i = end + close.size();
            continue;
        }
        if (line.substr(i, 3) == "{{#") {
            auto name_end = line.find_first_of(" }", i + 3);
            auto name = line.substr(i + 3, name_end == std::string_view::npos ? 0 : name_end - i - 3);
            auto end = line.find("}}", i + 3);
            bool known = std::find(mdbook_calls.begin(), mdbook_calls.end(), name) != mdbook_calls.end();
            if (known && end != std::string_view::npos) {
                i = end + 2;
                continue;
            }
        }
        if (c == '{' && !heading) {
            if (auto length = attribute_list(line, i); length > 0) {
                i += length;
                continue;
            }
        }
        out.text += c;
        ++i;
    }
    return out;
}

} // namespace

std::string resolve_site_syntax(std::string_view line)
{
    if (line.find('{') == std::string_view::npos && line.find("<!--") == std::string_view::npos)
        return std::string(line);
    return scan(line).text;
}

bool opens_site_syntax(std::string_view line)
{
    if (line.find('{') == std::string_view::npos && line.find("<!--") == std::string_view::npos)
        return false;
    return scan(line).unclosed;
}

} // namespace chatkit::chat
