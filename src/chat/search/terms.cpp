#include "chatkit/chat/search/terms.hpp"

#include "chatkit/chat/search/english.hpp"

#include "chatkit/util/text.hpp"

#include <libstemmer.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace chatkit::chat {

namespace {

// sb_stemmer keeps per-call state: one per thread.
std::string stem(const std::string& word)
{
    struct closer {
        void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
    };
    thread_local std::unique_ptr<sb_stemmer, closer> stemmer(sb_stemmer_new("english", "UTF_8"));
    if (!stemmer || word.size() < 3 || std::isdigit(static_cast<unsigned char>(word[0])))
        return word;
    const auto* out =
        sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (!out)
        return word;
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(stemmer.get())));
}

const std::unordered_set<std::string_view>& stop_words()
{
    static const std::unordered_set<std::string_view> words{
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does", "did", "for", "from", "how", "i",
        "in", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "this", "to", "was", "what", "when",
        "where", "which", "who", "why", "will", "with", "you", "your", "there", "their", "if", "about", "into", "than",
        "then", "them", "we", "our", "us", "should", "would", "these", "those", "been", "being", "have", "has", "had",
        "any", "some", "get", "want", "use", "using", "used", "way", "ways", "need", "make", "thing", "tell",
        "possible", "go", "am", "were", "just", "also", "very", "one", "anyone", "please", "e", "g", "ie", "eg", "etc",
        "vs", "via", "they", "he", "she", "his", "her", "but", "not", "no", "yes", "all", "each", "other", "such",
        "own", "same", "too", "here",
        // Words of asking, not of a topic: a corpus that never uses them is not off-topic.
        "many", "much", "lot", "lots", "good", "best", "right", "really", "actually", "anyway", "someone", "something",
        "somehow", "kind", "sort", "mean", "means", "happen", "happens", "able", "instead", "ok", "okay", "hi", "hello",
        "thanks", "thank",
        // What is left of a contraction once the apostrophe splits it ("isn't", "it's", "we'll").
        "isn", "aren", "doesn", "didn", "don", "won", "wasn", "weren", "hasn", "haven", "hadn", "couldn", "shouldn",
        "wouldn", "mustn", "needn", "t", "s", "ll", "ve"};
    return words;
}

// "readFileSync" -> read, File, Sync; "HTTPServer" -> HTTP, Server;
// "utf8" stays whole.
std::vector<std::string_view> camel_parts(std::string_view word)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    auto upper = [&](std::size_t i) {
        return word[i] >= 'A' && word[i] <= 'Z';
    };
    auto low = [&](std::size_t i) {
        return word[i] >= 'a' && word[i] <= 'z';
    };
    for (std::size_t i = 1; i < word.size(); ++i) {
        bool boundary = (upper(i) && low(i - 1)) || (upper(i) && i + 1 < word.size() && low(i + 1) && upper(i - 1));
        if (boundary) {
            parts.push_back(word.substr(start, i - start));
            start = i;
        }
    }
    parts.push_back(word.substr(start));
    return parts;
}

void add_word(std::vector<std::string>& out, std::string_view raw, const word_fixer& fix)
{
    auto w = util::ascii_lower(raw);
    if (w.empty() || stop_words().contains(w))
        return;
    out.push_back(stem(fix ? fix(w) : w));
}

} // namespace

bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::string punctuation_as_spaces(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto lead = static_cast<unsigned char>(text[i]);
        auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        auto third = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
        if (lead == 0xC2 && next >= 0xA0 && next <= 0xBF) {
            // U+00A0-U+00BF: no-break space and Latin-1 punctuation; not the
            // letters and numbers among them (ª º µ ² ³ ¹ ¼ ½ ¾). A soft
            // hyphen joins the word it splits.
            constexpr std::string_view letters = "\xAA\xB2\xB3\xB5\xB9\xBA\xBC\xBD\xBE";
            if (next == 0xAD) {
                ++i;
                continue;
            }
            if (letters.find(static_cast<char>(next)) == std::string_view::npos) {
                out += ' ';
                ++i;
                continue;
            }
        } else if (lead == 0xC3 && (next == 0x97 || next == 0xB7)) { // × ÷
            out += ' ';
            ++i;
            continue;
        } else if (lead == 0xE2 && (next == 0x80 || (next == 0x81 && third <= 0xAF)) && third >= 0x80 &&
                   third <= 0xBF) {
            // U+2000-U+206F, general punctuation: dashes, quotes, ellipsis,
            // spaces. Zero-width joiners (U+200C, U+200D, U+2060) join.
            bool joiner = (next == 0x80 && (third == 0x8C || third == 0x8D)) || (next == 0x81 && third == 0xA0);
            if (!joiner)
                out += ' ';
            i += 2;
            continue;
        }
        out += static_cast<char>(lead);
    }
    return out;
}

bool is_stop_word(std::string_view lowered_word)
{
    return stop_words().contains(lowered_word);
}

std::vector<std::string> terms_of(std::string_view raw, const word_fixer& fix)
{
    const auto spaced = punctuation_as_spaces(raw);
    std::string_view text = spaced;
    std::vector<std::string> out;
    std::size_t i = 0;
    const auto n = text.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(text[i]);
        bool dashes = c == '-' && i + 2 < n && text[i + 1] == '-' && word_char(static_cast<unsigned char>(text[i + 2]));
        if (!word_char(c) && !dashes) {
            ++i;
            continue;
        }
        // An identifier: word characters joined by '.', '_' or '-' (a CLI
        // flag keeps its leading "--" out of the token).
        if (dashes)
            i += 2;
        auto start = i;
        while (i < n) {
            auto ch = static_cast<unsigned char>(text[i]);
            if (word_char(ch) || ch == '_')
                ++i;
            else if ((ch == '.' || ch == '-') && i + 1 < n && word_char(static_cast<unsigned char>(text[i + 1])) &&
                     i > start)
                ++i;
            else
                break;
        }
        std::string_view token = text.substr(start, i - start);
        while (!token.empty() && token.back() == '_')
            token.remove_suffix(1);
        if (token.empty())
            continue;
        std::vector<std::string_view> segments; // split at . _ -
        std::size_t s = 0;
        for (std::size_t k = 0; k <= token.size(); ++k)
            if (k == token.size() || token[k] == '.' || token[k] == '_' || token[k] == '-') {
                if (k > s)
                    segments.push_back(token.substr(s, k - s));
                s = k + 1;
            }
        for (auto seg : segments) {
            auto parts = camel_parts(seg);
            for (auto p : parts)
                add_word(out, p, fix);
            if (parts.size() > 1)
                out.push_back(stem(util::ascii_lower(seg))); // "readFile" whole, as a reader typing "readfile" gets it
        }
        if (segments.size() > 1)
            out.push_back(stem(util::ascii_lower(token))); // "fs.readfile" whole
    }
    return out;
}

const std::vector<std::string>& alternatives_of(const std::string& term)
{
    // Groups of words that documentation and its readers use for the same
    // thing. Written for software documentation in general (not for any
    // one corpus or question set); every member maps to the others.
    static const std::unordered_map<std::string, std::vector<std::string>> table = [] {
        const std::vector<std::vector<std::string>> groups{
            {"folder", "directory", "dir"},
            {"delete", "remove", "erase", "unlink", "wipe"},
            {"create", "make", "new", "mkdir"},
            {"start", "launch", "spawn", "run", "execute", "exec"},
            {"stop", "terminate", "kill", "exit", "quit", "abort"},
            {"read", "load"},
            {"write", "save", "store"},
            {"config", "configuration", "options"},
            {"error", "exception", "failure"},
            {"wait", "delay", "sleep", "timeout"},
            {"print", "log", "output", "console"},
            {"argument", "arg", "args", "argv", "parameter"},
            {"env", "environment"},
            {"compress", "gzip", "deflate", "zip"},
            {"decompress", "gunzip", "inflate", "unzip"},
            {"hash", "digest", "checksum"},
            {"encrypt", "cipher"},
            {"decrypt", "decipher"},
            {"url", "link", "address", "uri"},
            {"size", "length", "bytes"},
            {"child", "subprocess"},
            {"thread", "worker"},
            {"listen", "bind"},
            {"rename", "move"},
            {"copy", "duplicate", "clone"},
            {"check", "verify", "test", "assert"},
            {"watch", "monitor", "observe"},
            {"list", "enumerate", "readdir"},
            {"memory", "heap", "ram"},
            {"debug", "inspect", "inspector", "debugger"},
            {"module", "package", "library"},
            {"import", "require"},
            {"event", "emit", "listener"},
            {"schedule", "timer", "interval"},
            {"convert", "encode", "decode", "parse"},
            {"cancel", "abort"},
            {"path", "filename"},
            {"response", "reply"},
            {"request", "req"},
            {"header", "headers"},
        };
        std::unordered_map<std::string, std::vector<std::string>> t;
        for (const auto& g : groups) {
            std::vector<std::string> stems;
            for (const auto& w : g)
                stems.push_back(stem(w));
            for (const auto& s : stems)
                for (const auto& other : stems)
                    if (other != s && std::find(t[s].begin(), t[s].end(), other) == t[s].end())
                        t[s].push_back(other);
        }
        return t;
    }();
    static const std::vector<std::string> none;
    auto it = table.find(term);
    return it == table.end() ? none : it->second;
}

std::string stem_of(const std::string& lowered_word)
{
    return stem(lowered_word);
}

namespace {

// The same word in the other of British and American spelling, or empty.
std::string respelled(const std::string& w)
{
    if (w.ends_with("our") && w.size() > 4)
        return w.substr(0, w.size() - 2) + "r";
    if (w.ends_with("or") && w.size() > 3)
        return w.substr(0, w.size() - 1) + "ur";
    for (auto [from, to] : {std::pair{"ise", "ize"}, {"ize", "ise"}, {"isation", "ization"}, {"ization", "isation"}})
        if (w.ends_with(from) && w.size() > std::string_view(from).size() + 2)
            return w.substr(0, w.size() - std::string_view(from).size()) + to;
    return {};
}

bool vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// The bare verb of a listed -ing or -ed form: "stated" is state, not stat;
// "embedded" is embed; "filled" is fill. Empty when none is listed.
std::string bare_verb(const std::string& w)
{
    for (std::string_view suffix : {"ing", "ed"}) {
        if (!w.ends_with(suffix) || w.size() < suffix.size() + 3)
            continue;
        auto b = w.substr(0, w.size() - suffix.size());
        if (is_english_word(b + "e"))
            return b + "e";
        if (b.size() >= 2 && b.back() == b[b.size() - 2] && is_english_word(b.substr(0, b.size() - 1)))
            return b.substr(0, b.size() - 1);
        if (is_english_word(b))
            return b;
    }
    return {};
}

// A bare verb's listed -s, -ing and -ed forms. "hop" is not hoped (hope),
// nor "bar" bared: a form that is also another verb's is left out.
void add_forms(const std::string& b, bool listed_only, std::vector<std::string>& forms)
{
    auto keep = [&](std::string f) {
        if (!listed_only || is_english_word(f))
            forms.push_back(std::move(f));
    };
    keep(b);
    keep(b + "s");
    if (b.ends_with('e')) {
        keep(b + "d");
        keep(b.substr(0, b.size() - 1) + "ing");
        return;
    }
    if (is_english_word(b + "e"))
        return;
    keep(b + "ed");
    keep(b + "ing");
    auto n = b.size();
    if (n >= 3 && !vowel(b[n - 1]) && vowel(b[n - 2]) && !vowel(b[n - 3]) &&
        std::string_view("wxy").find(b[n - 1]) == std::string_view::npos) {
        keep(b + b.back() + "ing");
        keep(b + b.back() + "ed");
    }
}

} // namespace

std::vector<std::string> other_form_stems(const std::string& written)
{
    std::vector<std::string> out;
    if (written.size() < 3)
        return out;
    // The word list is American: a British spelling ("colours") is read as
    // the listed one, and its forms are found from there.
    std::string w = written;
    if (!is_english_word(w)) {
        auto singular = w.ends_with('s') ? respelled(w.substr(0, w.size() - 1)) : std::string();
        if (auto other = respelled(w); !other.empty() && is_english_word(other))
            w = other;
        else if (!singular.empty() && is_english_word(singular + "s"))
            w = singular + "s";
        else
            return out; // not English: "http" and "https", "cpu" and "cpus" are different names
    }
    // Plurals Snowball already stems together; where it does not ("news"
    // and "new") they are other words. What it misses are bare verbs
    // stemmed apart from their forms ("embed" -> emb, "embedding" ->
    // embed), and the other spelling.
    std::vector<std::string> forms{w};
    auto bare = bare_verb(w);
    // "embeds": the -s form of a listed word Snowball stems alike.
    for (std::size_t cut : {1, 2})
        if (bare.empty() && w.ends_with(cut == 1 ? "s" : "es") && !w.ends_with("ss") && w.size() > cut + 2) {
            auto singular = w.substr(0, w.size() - cut);
            if (is_english_word(singular) && stem(singular) == stem(w))
                bare = singular;
        }
    add_forms(bare.empty() ? w : bare, true, forms);
    for (const auto& f : std::vector<std::string>(forms))
        if (auto other = respelled(f); !other.empty())
            forms.push_back(other);
    if (auto other = respelled(w.ends_with('s') ? w.substr(0, w.size() - 1) : w); !other.empty())
        add_forms(other, false, forms);
    const auto own = stem(written);
    for (const auto& f : forms)
        if (f.size() >= 3)
            if (auto s = stem(f); s != own && std::find(out.begin(), out.end(), s) == out.end())
                out.push_back(std::move(s));
    return out;
}

void words_of(std::string_view raw, const std::function<void(std::string_view lowered_word)>& each)
{
    const auto spaced = punctuation_as_spaces(raw);
    std::string_view text = spaced;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!word_char(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        auto start = i;
        while (i < text.size() && word_char(static_cast<unsigned char>(text[i])))
            ++i;
        for (auto part : camel_parts(text.substr(start, i - start)))
            each(util::ascii_lower(part));
    }
}

} // namespace chatkit::chat
