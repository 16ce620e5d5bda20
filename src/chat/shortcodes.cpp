#include "shortcodes.hpp"

#include <algorithm>
#include <optional>
#include <regex>

namespace chatkit::chat {

namespace {

// {{< name args >}} or {{% name args %}} (and their closing forms), or
// mdBook's {{#name args}}.
const std::regex& call_re()
{
    static const std::regex re(R"re(\{\{(?:<\s*([^>]*?)\s*>|%\s*([^%]*?)\s*%|#(\w+)[^}]*)\}\})re");
    return re;
}

// The value of `name="..."` among a call's arguments, if any.
std::optional<std::string> argument(const std::string& args, const std::string& name)
{
    auto at = args.find(name + "=\"");
    while (at != std::string::npos && at > 0 && args[at - 1] != ' ')
        at = args.find(name + "=\"", at + 1);
    if (at == std::string::npos)
        return std::nullopt;
    auto start = at + name.size() + 2;
    return args.substr(start, args.find('"', start) - start);
}

std::string replacement(const std::smatch& m)
{
    std::string args = m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : std::string();
    if (args.starts_with("/*") && args.ends_with("*/"))
        return "{{<" + args.substr(2, args.size() - 4) + ">}}";
    // What the rendered call shows: its text, the glossary term, or the
    // name of the sample file it embeds.
    for (const char* shown : {"text", "term_id", "file"})
        if (auto value = argument(args, shown))
            return *value;
    return {};
}

} // namespace

std::string resolve_shortcodes(std::string line)
{
    if (line.find("{{") == std::string::npos)
        return line;
    std::string out;
    auto begin = line.cbegin();
    std::smatch m;
    while (std::regex_search(begin, line.cend(), m, call_re())) {
        out.append(begin, m[0].first);
        out += replacement(m);
        begin = m[0].second;
    }
    out.append(begin, line.cend());
    return out;
}

std::string without_comments(std::string line)
{
    for (auto open = line.find("<!--"); open != std::string::npos; open = line.find("<!--", open)) {
        auto close = line.find("-->", open + 4);
        if (close == std::string::npos)
            break;
        line.erase(open, close + 3 - open);
    }
    return line;
}

bool opens_call(std::string_view line)
{
    if (auto comment = line.rfind("<!--"); comment != std::string_view::npos && line.find("-->", comment) == std::string_view::npos)
        return true;
    auto open = std::max(line.rfind("{{<") == std::string_view::npos ? 0 : line.rfind("{{<") + 1,
                         line.rfind("{{%") == std::string_view::npos ? 0 : line.rfind("{{%") + 1);
    if (open == 0)
        return false;
    auto close = std::max(line.rfind(">}}") == std::string_view::npos ? 0 : line.rfind(">}}") + 1,
                          line.rfind("%}}") == std::string_view::npos ? 0 : line.rfind("%}}") + 1);
    return close < open;
}

} // namespace chatkit::chat
