// Retrieval and answer quality on a documentation corpus, for chatkit's
// retriever and answer composer and for a SQLite FTS5 bm25() baseline over
// the same sections. Run by examples/bench_answers.sh; see docs/answer-quality.md.
//
//   chatkit-bench-answers CORPUS_DIR QUESTIONS.json... [--site plain|mkdocs|docusaurus] [--dump FILE]
//                         [--no-context]   (follow-ups asked without the question before them)
//                         [--chain]        (every other question asked after the one before it in its file)
//   chatkit-bench-answers CORPUS_DIR QUESTIONS.json... --check [--site KIND]
//                         (every gold section exists: for whoever writes a question set;
//                          prints no score)
//   chatkit-bench-answers CORPUS_DIR --leaks [--site KIND]
//                         (an answer from every section alone, asked by its heading: the site
//                          syntax that reaches readers, whatever the questions; reads no question)
//
// With EMBEDDINGS_BASE_URL and EMBEDDINGS_MODEL set (as for the server), the
// method measured is the hybrid one: words and meaning (meaning.hpp).
//
// Each question file is a JSON array of {"q", "kind", "gold": [{"page",
// "heading", "parent"?}], "facts": [str]}; out-of-scope questions have no
// gold, and "near": true when they are near misses (a neighbouring product,
// the same words in another sense). A follow-up has "prev": the question
// asked before it in the conversation. With several files, a last row adds
// them up.
#include "chatkit/chat/answer/answer_composer.hpp"
#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/follow_up.hpp"
#include "chatkit/chat/search/hybrid.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/terms.hpp"
#include "chatkit/security/random.hpp"
#include "meaning.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace {

using namespace chatkit::chat;

struct gold_ref {
    std::string page, heading, parent;
};

struct question {
    std::string text, kind;
    std::vector<gold_ref> gold;
    std::vector<std::string> facts;
    std::string prev;
    bool near = false;
};

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Heading text compared as a reader sees it: no backticks, single spaces.
std::string normal(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (c == '`')
            continue;
        bool space = c == ' ' || c == '\t' || c == '\n';
        if (space && (out.empty() || out.back() == ' '))
            continue;
        out += space ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::vector<question> load_questions(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<question> out;
    auto document = boost::json::parse(ss.str());
    for (const auto& v : document.as_array()) {
        const auto& o = v.as_object();
        question q{std::string(o.at("q").as_string()), std::string(o.at("kind").as_string()), {}, {}, {}, false};
        for (const auto& g : o.at("gold").as_array()) {
            const auto& go = g.as_object();
            q.gold.push_back({std::string(go.at("page").as_string()), normal(go.at("heading").as_string()),
                              go.contains("parent") ? normal(go.at("parent").as_string()) : std::string()});
        }
        for (const auto& f : o.at("facts").as_array())
            q.facts.emplace_back(f.as_string());
        if (const auto* prev = o.if_contains("prev"))
            q.prev = std::string(prev->as_string());
        if (const auto* near = o.if_contains("near"))
            q.near = near->as_bool();
        out.push_back(std::move(q));
    }
    return out;
}

bool is_gold(const section& s, const question& q)
{
    for (const auto& g : q.gold) {
        if (s.source->path != g.page || normal(s.title) != g.heading)
            continue;
        if (g.parent.empty() || (!s.trail.empty() && normal(s.trail.back()) == g.parent))
            return true;
    }
    return false;
}

// The baseline: SQLite FTS5 with the porter tokenizer over the same
// sections, title weighted 2, the question's words OR-ed.
class fts5_baseline {
public:
    explicit fts5_baseline(const std::vector<section>& sections) : sections_(sections)
    {
        sqlite3_open(":memory:", &db_);
        exec("CREATE VIRTUAL TABLE s USING fts5(title, body, tokenize='porter')");
        exec("BEGIN");
        sqlite3_stmt* insert = nullptr;
        sqlite3_prepare_v2(db_, "INSERT INTO s(rowid, title, body) VALUES (?, ?, ?)", -1, &insert, nullptr);
        for (std::size_t i = 0; i < sections.size(); ++i) {
            auto body = sections[i].plain + " " + sections[i].code;
            sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(i));
            sqlite3_bind_text(insert, 2, sections[i].title.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 3, body.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_step(insert);
            sqlite3_reset(insert);
        }
        sqlite3_finalize(insert);
        exec("COMMIT");
        sqlite3_prepare_v2(db_, "SELECT rowid FROM s WHERE s MATCH ? ORDER BY bm25(s, 2.0, 1.0) LIMIT 5", -1, &query_,
                           nullptr);
    }
    ~fts5_baseline()
    {
        sqlite3_finalize(query_);
        sqlite3_close(db_);
    }
    fts5_baseline(const fts5_baseline&) = delete;
    fts5_baseline& operator=(const fts5_baseline&) = delete;

    std::vector<hit> search(const std::string& question)
    {
        std::string match;
        std::string word;
        auto flush = [&] {
            if (!word.empty())
                match += (match.empty() ? "\"" : " OR \"") + word + "\"";
            word.clear();
        };
        for (char c : question) {
            if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80)
                word += c;
            else
                flush();
        }
        flush();
        std::vector<hit> out;
        if (match.empty())
            return out;
        sqlite3_bind_text(query_, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(query_) == SQLITE_ROW)
            out.push_back({&sections_[static_cast<std::size_t>(sqlite3_column_int64(query_, 0))], 1.0, 1.0});
        sqlite3_reset(query_);
        return out;
    }

private:
    void exec(const char* sql) { sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
    const std::vector<section>& sections_;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* query_ = nullptr;
};

// Markup that must never reach an answer's prose (code is exempt: docs
// about Markdown show these in examples).
std::vector<std::string> leaks_in(const std::string& answer)
{
    static const std::vector<std::pair<std::string, std::regex>> patterns{
        {"include directive", std::regex(R"(\{\*|\*\}|\{!|!\}|--8<--)")},
        {"admonition marker", std::regex(R"((^|\n)\s*(!!!|\?\?\?|///|:::|===))")},
        {"raw HTML", std::regex(R"((^|[^\\])<(/?[a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?/?>|<!--)")}, // "\<" is text
        {"hl_lines", std::regex(R"(hl_lines)")},
        {"heading id", std::regex(R"(\{\s*#[\w-]+[^}]*\})")},
        {"front matter", std::regex(R"((^|\n)---\n)")},
        {"shortcode", std::regex(R"(\{\{[<%]|[>%]\}\}|\{\{#\w+)")},
        {"template tag", std::regex(R"(\{%|%\}|\{\{[^<%#])")}, // Jinja, Nunjucks, Liquid
    };
    // Blank out fenced code and inline code first. A fence closes with a
    // run of its own length or longer: "````md" shows "```" lines as code.
    std::string prose;
    std::size_t fence = 0;
    std::istringstream lines(answer);
    for (std::string line; std::getline(lines, line);) {
        auto start = line.find_first_not_of(' ');
        auto run = start == std::string::npos || line[start] != '`' ? 0 : line.find_first_not_of('`', start) - start;
        if (start != std::string::npos && line.find_first_not_of('`', start) == std::string::npos)
            run = line.size() - start;
        if (run >= 3 && (fence == 0 || (run >= fence && line.find_first_not_of('`', start) == std::string::npos))) {
            fence = fence == 0 ? run : 0;
            continue;
        }
        if (fence == 0)
            prose += std::regex_replace(line, std::regex("`[^`]*`"), "``") + "\n";
    }
    std::vector<std::string> found;
    for (const auto& [name, re] : patterns)
        if (std::regex_search(prose, re))
            found.push_back(name);
    // Site syntax a code renderer removes, in code too: a whole-line magic
    // comment, a notation closing a line. Prose that explains the syntax
    // (`// [!code ++]` in a sentence) is content.
    static const std::regex magic(
        R"((^|\n)\s*(//|#|<!--|\{/\*)\s*highlight-(next-line|start|end)|(//|#)\s*\[!code [^\]]*\]\s*(\n|$)|```mdx-code-block)");
    if (std::regex_search(answer, magic))
        found.push_back("code annotation");
    return found;
}

struct tally {
    int in_scope = 0, r1 = 0, r5 = 0, facts = 0, facts_any = 0, out_scope = 0, refused = 0, false_refusals = 0,
        leaks = 0, near = 0, near_refused = 0, follow_ups = 0, follow_ups_r5 = 0;
    double mrr = 0;

    tally& operator+=(const tally& o)
    {
        in_scope += o.in_scope, r1 += o.r1, r5 += o.r5, facts += o.facts, facts_any += o.facts_any;
        out_scope += o.out_scope, refused += o.refused, false_refusals += o.false_refusals, leaks += o.leaks;
        near += o.near, near_refused += o.near_refused, follow_ups += o.follow_ups;
        follow_ups_r5 += o.follow_ups_r5, mrr += o.mrr;
        return *this;
    }
};

void score(tally& t, const question& q, const std::vector<hit>& ranked, bool refused, const std::string& answer)
{
    if (!leaks_in(answer).empty())
        ++t.leaks;
    if (q.gold.empty()) {
        ++t.out_scope;
        t.refused += refused ? 1 : 0;
        t.near += q.near ? 1 : 0;
        t.near_refused += q.near && refused ? 1 : 0;
        return;
    }
    ++t.in_scope;
    t.false_refusals += refused ? 1 : 0;
    t.follow_ups += q.prev.empty() ? 0 : 1;
    for (std::size_t i = 0; i < ranked.size() && i < 5; ++i)
        if (is_gold(*ranked[i].doc, q)) {
            t.r1 += i == 0 ? 1 : 0;
            ++t.r5;
            t.follow_ups_r5 += q.prev.empty() ? 0 : 1;
            t.mrr += 1.0 / static_cast<double>(i + 1);
            break;
        }
    auto text = lower(answer);
    int present = 0;
    for (const auto& f : q.facts)
        present += text.find(lower(f)) != std::string::npos ? 1 : 0;
    t.facts += present == static_cast<int>(q.facts.size()) ? 1 : 0;
    t.facts_any += present > 0 ? 1 : 0;
}

// Ranking alone, for a stage that neither answers nor refuses.
void print_ranking(const char* name, const tally& t)
{
    std::printf("| %-26s | %5.2f | %5.2f | %5.3f |\n", name, t.in_scope ? static_cast<double>(t.r1) / t.in_scope : 0.0,
                t.in_scope ? static_cast<double>(t.r5) / t.in_scope : 0.0, t.in_scope ? t.mrr / t.in_scope : 0.0);
}

void print(const char* name, const tally& t)
{
    auto pct = [](int a, int b) {
        return b ? 100.0 * a / b : 0.0;
    };
    std::printf(
        "| %-26s | %5.2f | %5.2f | %5.3f | %3.0f%% (%d/%d) | %3.0f%% | %d/%d (near %d/%d) | %d | %d/%d | %d |\n", name,
        t.in_scope ? static_cast<double>(t.r1) / t.in_scope : 0.0,
        t.in_scope ? static_cast<double>(t.r5) / t.in_scope : 0.0, t.in_scope ? t.mrr / t.in_scope : 0.0,
        pct(t.facts, t.in_scope), t.facts, t.in_scope, pct(t.facts_any, t.in_scope), t.refused, t.out_scope,
        t.near_refused, t.near, t.false_refusals, t.follow_ups_r5, t.follow_ups, t.leaks);
}

// The training data of the second stage and of the relevance decision: for
// every question, the first stage's candidates with their features and
// whether each is gold, and what the lookup says of the question's words;
// one JSON object per line (examples/train_ranker.py reads them).
void write_features(const retriever& index, const std::vector<std::string>& files, const std::string& path)
{
    std::ofstream out(path);
    for (const auto& file : files) {
        auto set = file.substr(file.rfind('/') + 1);
        for (const auto& q : load_questions(file)) {
            boost::json::array rows;
            for (const auto& [h, f] : index.candidates(q.text, 40)) {
                boost::json::array values;
                for (auto v : f)
                    values.push_back(v);
                rows.push_back({{"gold", is_gold(*h.doc, q)}, {"features", std::move(values)}});
            }
            auto looked = index.lookup(q.text, 1);
            out << boost::json::serialize(boost::json::object{{"set", set},
                                                              {"q", q.text},
                                                              {"in_scope", !q.gold.empty()},
                                                              {"unknown", looked.unknown_share},
                                                              {"unknown_names", looked.unknown_name_share},
                                                              {"quotes_corpus", looked.quotes_corpus},
                                                              {"candidates", std::move(rows)}})
                << "\n";
        }
    }
}

// Site syntax checked over the whole corpus rather than over what the
// questions happen to reach: each section answers a question made of its
// own heading, alone. Prints each kind of leak with its count and up to
// three sections.
void report_leaks(const corpus& source)
{
    std::map<std::string, std::vector<std::string>> found;
    int answers_with_leaks = 0;
    for (const auto& s : source.sections()) {
        auto answer = compose_answer({s.title, "browse", "", {{&s, 1.0, 1.0}}, false, {}});
        auto leaks = leaks_in(answer);
        answers_with_leaks += leaks.empty() ? 0 : 1;
        for (const auto& kind : leaks)
            found[kind].push_back(s.id);
    }
    for (const auto& [kind, ids] : found) {
        std::printf("%-18s %zu:", kind.c_str(), ids.size());
        for (std::size_t i = 0; i < ids.size() && i < 3; ++i)
            std::printf(" %s", ids[i].c_str());
        std::printf("\n");
    }
    std::printf("answers with a leak: %d of %zu sections\n", answers_with_leaks, source.sections().size());
}

// Each gold entry names a section of the corpus; returns how many do not.
int check_gold(const corpus& source, const std::vector<std::string>& files)
{
    int missing = 0;
    for (const auto& file : files)
        for (const auto& q : load_questions(file))
            for (const auto& g : q.gold) {
                question alone = q;
                alone.gold = {g};
                if (std::none_of(source.sections().begin(), source.sections().end(),
                                 [&](const section& s) { return is_gold(s, alone); })) {
                    ++missing;
                    std::printf("no section %s \"%s\"%s for: %s\n", g.page.c_str(), g.heading.c_str(),
                                g.parent.empty() ? "" : (" under \"" + g.parent + "\"").c_str(), q.text.c_str());
                }
            }
    std::printf("%d gold entries name no section\n", missing);
    return missing;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> files;
    std::string dump_path, features_path;
    corpus_options options;
    bool context = true; // follow-ups see the question before them
    bool chain = false;  // every question follows the one before it in its file: what a false follow-up costs
    bool leaks = false;
    bool check = false;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--dump" && i + 1 < argc)
            dump_path = argv[++i];
        else if (arg == "--features" && i + 1 < argc)
            features_path = argv[++i];
        else if (arg == "--no-context")
            context = false;
        else if (arg == "--chain")
            chain = true;
        else if (arg == "--leaks")
            leaks = true;
        else if (arg == "--check")
            check = true;
        else if (arg == "--site" && i + 1 < argc)
            options.site = parse_site_kind(argv[++i]).value_or(site_kind::plain);
        else
            files.push_back(arg);
    }
    if (leaks && argc >= 3) {
        report_leaks(*load_corpus(argv[1], options));
        return 0;
    }
    if (check && !files.empty())
        return check_gold(*load_corpus(argv[1], options), files) == 0 ? 0 : 1;
    if (argc < 3 || files.empty()) {
        std::fprintf(stderr,
                     "usage: %s CORPUS_DIR QUESTIONS.json... [--site KIND] [--dump FILE] [--features FILE] "
                     "[--no-context] [--chain]\n",
                     argv[0]);
        return 64;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto source = load_corpus(argv[1], options);
    auto shared_index = std::make_shared<const retriever>(source);
    const retriever& index = *shared_index;
    fts5_baseline baseline(source->sections());
    chatkit::security::init_sodium();
    auto meaning = chatkit::bench::meaning_source::from_environment(shared_index);
    if (meaning)
        std::printf("retrieval: hybrid, words and meaning (%s, %zu dimensions)\n", meaning->model().c_str(),
                    meaning->vectors().dimensions());
    auto t1 = std::chrono::steady_clock::now();
    std::printf("corpus: %zu pages, %zu sections, loaded and indexed in %.0f ms\n\n", source->pages().size(),
                source->sections().size(), std::chrono::duration<double, std::milli>(t1 - t0).count());

    if (!features_path.empty()) {
        write_features(index, files, features_path);
        return 0;
    }
    std::ofstream dump;
    if (!dump_path.empty())
        dump.open(dump_path);
    std::printf("| set | R@1 | R@5 | MRR@5 | facts (all) | facts (any) | out-of-scope refused | in-scope refused | "
                "follow-ups R@5 | answers with leaks |\n|---|---|---|---|---|---|---|---|---|---|\n");
    tally all_ours, all_fts, all_first; // first: BM25F alone, no second stage
    std::vector<double> latencies;
    for (const auto& file : files) {
        auto questions = load_questions(file);
        if (!context)
            for (auto& q : questions)
                q.prev.clear();
        for (std::size_t i = 1; chain && i < questions.size(); ++i)
            if (questions[i].prev.empty())
                questions[i].prev = questions[i - 1].text;
        tally ours, fts, first;
        for (const auto& q : questions) {
            const auto context = follow_up_context(q.text, q.prev);
            auto ranked = index.search(q.text, 5, context);
            std::vector<hit> first_ranked;
            for (const auto& [h, f] : index.candidates(q.text, 5, context))
                first_ranked.push_back(h);
            score(first, q, first_ranked, false, {});
            auto sources = find_sources(index, q.text, {}, 5, q.prev);
            if (meaning) {
                // As the server asks: a follow-up with the question it follows.
                if (auto v = meaning->embed(context.empty() ? q.text : std::string(context) + "\n" + q.text)) {
                    // Ranked with every close section, as the lexical ranking ignores the refusal.
                    ranked =
                        find_sources(index, q.text, {}, 5, q.prev, chatkit::chat::meaning{meaning->vectors(), *v, -1});
                    sources = find_sources(index, q.text, {}, 5, q.prev,
                                           chatkit::chat::meaning{meaning->vectors(), *v, meaning->min_similarity()});
                }
            }
            auto answer = compose_answer({q.text, "browse", "", sources, false, {}});
            score(ours, q, ranked, sources.empty(), answer);

            auto base = baseline.search(q.text);
            auto base_answer = compose_answer({q.text, "browse", "", base, false, {}});
            score(fts, q, base, base.empty(), base_answer);

            if (dump) {
                auto looked = index.lookup(q.text, 1);
                dump << "## " << q.text << "  (" << q.kind << ")\n\nunknown: " << looked.unknown_share << " names "
                     << looked.unknown_name_share << " quotes the corpus " << looked.quotes_corpus << "\n";
                dump << "words the corpus lacks:";
                std::istringstream words(q.text);
                for (std::string w; words >> w;)
                    if (auto alone = index.lookup(w, 1); !terms_of(w).empty() && alone.unknown_share > 0.99)
                        dump << " " << w << (alone.unknown_name_share > 0.99 ? " (name)" : "");
                dump << "\n\n";
                for (std::size_t i = 0; i < ranked.size(); ++i)
                    dump << (is_gold(*ranked[i].doc, q) ? "* GOLD " : "* ") << ranked[i].doc->id << "  score "
                         << ranked[i].score << " cover " << ranked[i].coverage << "\n";
                dump << "\n" << answer << "\n\n";
                for (const auto& leak : leaks_in(answer))
                    dump << "LEAK: " << leak << "\n";
                dump << "---\n\n";
            }
        }
        auto name = file.substr(file.rfind('/') + 1);
        print(("chatkit  " + name).c_str(), ours);
        print(("FTS5 bm25  " + name).c_str(), fts);
        print_ranking(("first stage  " + name).c_str(), first);
        all_ours += ours;
        all_fts += fts;
        all_first += first;
    }
    if (files.size() > 1) {
        print("chatkit  all", all_ours);
        print("FTS5 bm25  all", all_fts);
        print_ranking("first stage  all", all_first);
    }
    // Latency over every question, twenty times over, after the quality pass.
    latencies.clear();
    for (int round = 0; round < 20; ++round)
        for (const auto& file : files)
            for (const auto& q : load_questions(file)) {
                auto s0 = std::chrono::steady_clock::now();
                auto sources = find_sources(index, q.text, {}, 5, q.prev);
                latencies.push_back(
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count());
            }
    std::sort(latencies.begin(), latencies.end());
    if (!latencies.empty())
        std::printf("\nretrieval (search + relevance decision), %zu questions: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                    latencies.size(), latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100],
                    latencies.back());
    return 0;
}
