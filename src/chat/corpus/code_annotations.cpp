#include "code_annotations.hpp"

#include <regex>

namespace chatkit::chat::md {

namespace {

// std::regex recurses per character: longer lines are left as they are.
constexpr std::size_t max_annotated_line = 1024;

const std::regex& magic_comment_line()
{
    static const std::regex re(
        R"re(^\s*(//|#|--|;|/\*|\{/\*|<!--)\s*highlight-(next-line|start|end)\s*(\*/\}|\*/|-->)?\s*$)re");
    return re;
}

const std::regex& code_notation()
{
    static const std::regex re(R"re(\s*(//|#|--|/\*|<!--)\s*\[!code [^\]]*\]\s*(\*/|-->)?)re");
    return re;
}

bool hidden_rust_line(std::string_view line)
{
    auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] != '#')
        return false;
    auto rest = line.substr(start + 1);
    return rest.empty() || rest.front() == ' ';
}

} // namespace

void strip_code_annotations(std::string& code, std::string_view lang)
{
    if (code.find("highlight-") == std::string::npos && code.find("[!code ") == std::string::npos &&
        !lang.starts_with("rust"))
        return;
    bool rust = lang.starts_with("rust");
    std::string out;
    out.reserve(code.size());
    std::size_t start = 0;
    while (start < code.size()) {
        auto end = code.find('\n', start);
        auto line = code.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? code.size() : end + 1;
        bool short_line = line.size() <= max_annotated_line;
        if ((short_line && std::regex_match(line, magic_comment_line())) || (rust && hidden_rust_line(line)))
            continue;
        if (short_line && line.find("[!code ") != std::string::npos)
            line = std::regex_replace(line, code_notation(), "");
        out += line;
        if (end != std::string::npos)
            out += '\n';
    }
    code = std::move(out);
}

} // namespace chatkit::chat::md
