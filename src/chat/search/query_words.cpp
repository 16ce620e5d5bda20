#include "chatkit/chat/search/query_words.hpp"

#include "chatkit/chat/search/english.hpp"
#include "chatkit/chat/search/terms.hpp"
#include "chatkit/util/text.hpp"

#include <algorithm>
#include <set>
#include <vector>

namespace chatkit::chat {

namespace {

// A long message pasted full of code names no more APIs than this.
constexpr std::size_t max_api_names = 16;

bool upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Which bytes are the reader's own data rather than words about a topic:
// text in backticks or quotes, and paths ("build/assets/img", ".png").
std::vector<bool> literal_bytes(std::string_view q)
{
    std::vector<bool> literal(q.size(), false);
    for (std::size_t i = 0; i < q.size(); ++i) {
        char c = q[i];
        bool opens = c == '`' || ((c == '\'' || c == '"') && (i == 0 || space(q[i - 1]) || q[i - 1] == '('));
        if (!opens)
            continue;
        auto close = q.find(c, i + 1);
        if (close == std::string_view::npos)
            continue;
        std::fill(literal.begin() + static_cast<std::ptrdiff_t>(i),
                  literal.begin() + static_cast<std::ptrdiff_t>(close) + 1, true);
        i = close;
    }
    for (std::size_t i = 0; i < q.size();) {
        if (space(q[i])) {
            ++i;
            continue;
        }
        auto end = i;
        while (end < q.size() && !space(q[end]))
            ++end;
        auto run = q.substr(i, end - i);
        if (run.find_first_of("/\\") != std::string_view::npos || run.front() == '.')
            std::fill(literal.begin() + static_cast<std::ptrdiff_t>(i),
                      literal.begin() + static_cast<std::ptrdiff_t>(end), true);
        i = end;
    }
    return literal;
}

bool identifier_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

// "fs.glob", "process.getBuiltinModule": two identifier parts joined by a
// dot. Longer chains ("process.env.NODE_ENV", "fs.promises.readFile") name
// properties and values the docs do not head sections with.
bool api_shaped(std::string_view run)
{
    // A file name or an address ends in a short extension or a number.
    static const std::unordered_set<std::string_view> file_endings{
        "js",   "mjs", "cjs", "ts",   "mts", "cts", "jsx",  "tsx",  "json",  "txt",     "log", "md",     "png",
        "jpg",  "gz",  "zip", "conf", "cfg", "ini", "toml", "yaml", "yml",   "lock",    "py",  "go",     "rs",
        "html", "css", "csv", "sh",   "env", "xml", "pem",  "crt",  "key",   "sock",    "db",  "sqlite", "node",
        "wasm", "exe", "com", "org",  "net", "dev", "fr",   "lan",  "local", "internal"};
    auto dot = run.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == run.size())
        return false;
    std::string last = util::ascii_lower(run.substr(dot + 1));
    if (file_endings.contains(last) || !identifier_char(run.front()) || (run.front() >= '0' && run.front() <= '9'))
        return false;
    std::size_t parts = 0;
    for (std::size_t i = 0; i <= run.size(); ++i) {
        if (i == run.size() || run[i] == '.') {
            ++parts;
            continue;
        }
        if (!identifier_char(run[i]))
            return false;
    }
    if (parts != 2)
        return false;
    // "a stream.It fails": a sentence that lost its space.
    auto member = run.substr(dot + 1);
    return !(upper(member.front()) && is_english_word(util::ascii_lower(member)));
}

void collect_api_names(std::string_view q, query_words& out)
{
    auto add = [&](std::string whole, std::string first) {
        std::pair<std::string, std::string> name(std::move(whole), std::move(first));
        if (out.api_names.size() < max_api_names &&
            std::find(out.api_names.begin(), out.api_names.end(), name) == out.api_names.end())
            out.api_names.push_back(std::move(name));
    };
    for (std::size_t i = 0; i < q.size();) {
        auto start = q.find_first_not_of(" \t\n\r`'\"(<[{,;:", i);
        if (start == std::string_view::npos)
            break;
        auto end = q.find_first_of(" \t\n\r`'\"<[{,;:", start);
        if (end == std::string_view::npos)
            end = q.size();
        auto run = q.substr(start, end - start);
        i = end;
        if (auto call = run.find('('); call != std::string_view::npos)
            run = run.substr(0, call);
        while (!run.empty() && (run.back() == '.' || run.back() == '?' || run.back() == '!' || run.back() == ')'))
            run.remove_suffix(1);
        // A flag of several words ("--env-file=.env"): one word ("--verbose")
        // is as likely the reader's own program's.
        if (run.starts_with("--") && run.size() > 2 && identifier_char(run[2])) {
            run = run.substr(0, run.find('='));
            if (run.find('-', 2) != std::string_view::npos &&
                std::all_of(run.begin() + 2, run.end(), [](char c) { return identifier_char(c) || c == '-'; }))
                if (auto terms = terms_of(run); terms.size() >= 2)
                    add(terms.back(), std::string());
            continue;
        }
        if (!api_shaped(run))
            continue;
        auto terms = terms_of(run);
        auto first = terms_of(run.substr(0, run.find('.')));
        if (terms.size() >= 2 && first.size() == 1)
            add(terms.back(), first.front());
    }
}

// The world's most written languages: capitalised, and proper nouns in the
// word list, but a reader naming one asks for a translation or a locale.
bool is_language_name(std::string_view lowered)
{
    static const std::set<std::string_view> names{
        "arabic",   "bengali", "chinese", "czech",     "danish",  "dutch",     "english",    "finnish",
        "french",   "german",  "greek",   "hebrew",    "hindi",   "hungarian", "indonesian", "italian",
        "japanese", "korean",  "malay",   "norwegian", "persian", "polish",    "portuguese", "romanian",
        "russian",  "spanish", "swedish", "thai",      "turkish", "ukrainian", "vietnamese"};
    return names.contains(lowered);
}

// An errno name ("EADDRINUSE"), a signal ("SIGTERM"), a constant of several
// words ("ERR_REQUIRE_ESM", "SQLITE_BUSY") or a numbered code ("E0752",
// "TS2307"): what a program prints, never a reader's word for a topic.
bool code_shaped(std::string_view word)
{
    if (word.size() < 4 ||
        !std::all_of(word.begin(), word.end(), [](char c) { return upper(c) || (c >= '0' && c <= '9') || c == '_'; }))
        return false;
    auto letters = word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    bool numbered = letters != std::string_view::npos && letters > 0 && word.size() - letters >= 3 &&
                    std::all_of(word.begin() + static_cast<std::ptrdiff_t>(letters), word.end(),
                                [](char c) { return c >= '0' && c <= '9'; });
    bool constant = word.find('_') != std::string_view::npos && upper(word.front());
    bool errno_or_signal = letters == std::string_view::npos && (word.front() == 'E' || word.starts_with("SIG"));
    return numbered || constant || errno_or_signal;
}

void collect_codes(std::string_view q, query_words& out)
{
    for (std::size_t i = 0; i < q.size();) {
        if (!identifier_char(q[i])) {
            ++i;
            continue;
        }
        auto start = i;
        while (i < q.size() && identifier_char(q[i]))
            ++i;
        auto run = q.substr(start, i - start);
        if (code_shaped(run) && !is_english_word(util::ascii_lower(run)) && out.codes.size() < max_api_names)
            out.codes.push_back(util::ascii_lower(run));
    }
}

} // namespace

query_words classify_words(std::string_view raw)
{
    const auto spaced = punctuation_as_spaces(raw);
    std::string_view question = spaced;
    query_words out;
    collect_api_names(question, out);
    collect_codes(raw, out);
    const auto literal = literal_bytes(question);
    bool sentence_start = true;
    std::size_t i = 0;
    while (i < question.size()) {
        auto c = static_cast<unsigned char>(question[i]);
        if (!word_char(c)) {
            if (c == '.' || c == '?' || c == '!' || c == ':' || c == '\n')
                sentence_start = true;
            ++i;
            continue;
        }
        auto start = i;
        while (i < question.size() && word_char(static_cast<unsigned char>(question[i])))
            ++i;
        auto word = question.substr(start, i - start);
        bool first_word = sentence_start;
        sentence_start = false;
        if (literal[start]) {
            for (auto& t : terms_of(word))
                out.literal_terms.insert(std::move(t));
            continue;
        }
        // A number, or a quantity with its unit ("5GB", "443", "2x").
        if (word[0] >= '0' && word[0] <= '9')
            continue;
        auto lowered = util::ascii_lower(word);
        // "in French" asks for a translation, not about another product.
        if (is_language_name(lowered)) {
            for (auto& t : terms_of(word))
                out.language_terms.insert(std::move(t));
            continue;
        }
        // "FATAL ERROR" is shouting, "EMFILE" a name; so are listed
        // capitals ("IDE", "CI"): a reader writes them so either way.
        bool shouted = std::all_of(word.begin(), word.end(), [](char ch) { return !(ch >= 'a' && ch <= 'z'); }) &&
                       (is_english_word(lowered) || is_proper_noun(lowered));
        bool named = !shouted && (std::any_of(word.begin() + 1, word.end(), upper) || (upper(word[0]) && !first_word));
        if (named)
            out.written_as_names.insert(lowered);
        if (named || (!shouted && !is_english_word(lowered))) {
            auto terms = terms_of(word);
            bool camel = std::any_of(word.begin(), word.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }) &&
                         std::any_of(word.begin() + 1, word.end(), upper);
            if (camel && terms.size() > 1)
                out.identifiers.insert(terms.back()); // after its parts (terms_of)
            for (auto& t : terms)
                out.name_terms.insert(std::move(t));
        }
    }
    return out;
}

} // namespace chatkit::chat
