#include "chatkit/chat/answer/answer_composer.hpp"

#include "chatkit/chat/corpus/markdown_out.hpp"
#include "chatkit/chat/search/terms.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace chatkit::chat {

namespace {

// Sentences of the lead paragraph, the section's lead included. Four, not
// three, and any that shares a word with the question, not only those
// near the best one's score, put every fact in more answers on each
// development corpus (Node.js, this repository's docs, the Rust book,
// Kubernetes), for about 20 more words an answer (docs/answer-quality.md).
constexpr std::size_t max_sentences = 4;
// Items and rows stand alone, so only those close to the best one's score:
// of a table's rows, the one asked about, not every row sharing a word.
constexpr std::size_t max_items = 4;
constexpr std::size_t max_rows = 3;
constexpr double close_to_best = 0.6;
constexpr std::size_t max_code_lines = 40;
// A second section earns its "See also" line when its chance of answering is this close to the first's.
constexpr double see_also_ratio = 0.45;

const std::string refusal = "I could not find this in the documentation, so I will not guess. Try other words, "
                            "or ask about a topic the documentation covers.";

// The question's words and their synonyms, for scoring pieces of a section.
class question_terms {
public:
    explicit question_terms(std::string_view question)
    {
        for (auto& t : terms_of(question)) {
            asked_.insert(t);
            for (const auto& alt : alternatives_of(t))
                alternatives_.insert(alt);
        }
    }
    [[nodiscard]] double overlap(std::string_view text) const
    {
        auto words = terms_of(text);
        std::set<std::string> distinct(words.begin(), words.end());
        double score = 0;
        for (const auto& w : distinct)
            score += asked_.contains(w) ? 1.0 : alternatives_.contains(w) ? 0.4 : 0.0;
        return score;
    }

private:
    std::set<std::string> asked_;
    std::set<std::string> alternatives_;
};

// Where the pieces of an item sit: each list item knows the text of the
// items it is nested in, so a chosen option keeps its parent ("`options`").
struct item_unit {
    std::vector<std::string> parents;
    std::string text;
    double score;
    std::size_t order;
};

struct row_unit {
    const md::block* table;
    std::size_t row;
    double score;
    std::size_t order;
};

struct sentence_unit {
    std::string text;
    double score;
    std::size_t order;
};

// Everything in a section body an answer can quote, in document order.
struct section_units {
    std::vector<sentence_unit> sentences;
    std::vector<item_unit> items;
    std::vector<row_unit> rows;
    std::vector<const md::block*> code;
    std::string lead; // the first sentence of the first paragraph

    void collect(std::span<const md::block> blocks, const question_terms& q, std::vector<std::string>& parents,
                 bool top)
    {
        for (const auto& b : blocks) {
            switch (b.kind) {
            case md::block_kind::paragraph:
                for (auto& s : sentences_of(md::to_markdown(b.text))) {
                    if (top && lead.empty())
                        lead = s;
                    auto score = q.overlap(s);
                    sentences.push_back({std::move(s), score, sentences.size()});
                }
                break;
            case md::block_kind::list:
                for (const auto& item : b.items) {
                    std::string first;
                    if (!item.empty() && item.front().kind == md::block_kind::paragraph)
                        first = md::to_markdown(item.front().text);
                    auto rest = std::span<const md::block>(item).subspan(first.empty() ? 0 : 1);
                    if (first.empty()) {
                        collect_nested(rest, q, parents); // nothing to show as its parent
                        continue;
                    }
                    items.push_back({parents, first, q.overlap(first), items.size()});
                    parents.push_back(first);
                    collect_nested(rest, q, parents);
                    parents.pop_back();
                }
                break;
            case md::block_kind::table:
                for (std::size_t r = 1; r < b.rows.size(); ++r) {
                    std::string text;
                    for (const auto& cell : b.rows[r])
                        text += md::text_of(cell) + " ";
                    rows.push_back({&b, r, q.overlap(text), rows.size()});
                }
                break;
            case md::block_kind::code:
                code.push_back(&b);
                break;
            case md::block_kind::quote:
            case md::block_kind::aside:
                collect(b.children, q, parents, false);
                break;
            case md::block_kind::heading:
            case md::block_kind::rule:
                break;
            }
        }
    }

    void collect_nested(std::span<const md::block> blocks, const question_terms& q, std::vector<std::string>& parents)
    {
        for (const auto& b : blocks)
            if (b.kind == md::block_kind::list)
                collect(std::span<const md::block>(&b, 1), q, parents, false);
    }
};

// The `n` best-scoring units, in document order. A unit must share at least
// one word with the question, and at least `share` of the best unit's score.
template <class T, class Score, class Order>
std::vector<T> best_in_order(std::vector<T> pool, std::size_t n, double share, Score score, Order order)
{
    double top = 0;
    for (const auto& u : pool)
        top = std::max(top, score(u));
    std::erase_if(pool, [&](const T& u) { return score(u) < std::max(1.0, share * top); });
    std::stable_sort(pool.begin(), pool.end(), [&](const T& a, const T& b) { return score(a) > score(b); });
    if (pool.size() > n)
        pool.resize(n);
    std::sort(pool.begin(), pool.end(), [&](const T& a, const T& b) { return order(a) < order(b); });
    return pool;
}

std::size_t line_count(const std::string& code)
{
    return static_cast<std::size_t>(std::count(code.begin(), code.end(), '\n'));
}

// A heading that names an API (`fs.readFile()`, or a call signature
// written without backticks) is worth quoting: it is what the reader types.
bool names_an_api(const md::block* heading)
{
    if (!heading)
        return false;
    if (std::any_of(heading->text.begin(), heading->text.end(),
                    [](const md::span& s) { return (s.styles & md::code) != 0; }))
        return true;
    auto text = md::text_of(heading->text);
    auto open = text.find('(');
    return open != std::string::npos && open > 0 && text.back() == ')' && text.find(' ') > open;
}

// The heading as written when it marks its code, else all of it as code.
std::string api_name(const md::block& heading)
{
    bool marked = std::any_of(heading.text.begin(), heading.text.end(),
                              [](const md::span& s) { return (s.styles & md::code) != 0; });
    return marked ? md::to_markdown(heading.text)
                  : md::to_markdown(md::inlines{{md::text_of(heading.text), {}, md::code}});
}

const md::block* heading_of(const section& s)
{
    if (!s.source || s.body.data() == s.source->blocks.data())
        return nullptr; // the text before the page's first heading
    const md::block* h = s.body.data() - 1;
    return h->kind == md::block_kind::heading ? h : nullptr;
}

// Plain text in bold, its own markup characters escaped ("Using *args").
std::string bold(const std::string& text)
{
    return "**" + md::to_markdown(md::inlines{{text, {}, md::plain}}) + "**";
}

std::string cite(int n)
{
    std::string out = "[";
    out += std::to_string(n);
    out += ']';
    return out;
}

// The lead of one section: its API heading, when it has one, then sentences.
std::string lead_paragraph(const section& s, const section_units& u, int n)
{
    std::vector<sentence_unit> chosen;
    std::vector<sentence_unit> others;
    for (const auto& s : u.sentences)
        if (s.text == u.lead && !u.lead.empty())
            chosen.assign(1, s);
        else
            others.push_back(s);
    auto rest = best_in_order(
        std::move(others), max_sentences - chosen.size(), 0.0, [](const sentence_unit& x) { return x.score; },
        [](const sentence_unit& x) { return x.order; });
    chosen.insert(chosen.end(), rest.begin(), rest.end());
    std::sort(chosen.begin(), chosen.end(),
              [](const sentence_unit& a, const sentence_unit& b) { return a.order < b.order; });
    std::erase_if(chosen, [&, seen = std::set<std::string>()](const sentence_unit& x) mutable {
        return !seen.insert(x.text).second;
    });
    if (chosen.empty() && !u.sentences.empty())
        chosen.push_back(u.sentences.front());
    std::string out;
    if (const auto* h = heading_of(s); names_an_api(h))
        out = api_name(*h) + (chosen.empty() ? "" : ": ");
    for (std::size_t i = 0; i < chosen.size(); ++i)
        out += (i ? " " : "") + chosen[i].text;
    if (out.empty())
        out = bold(s.title);
    return out + " " + cite(n);
}

std::string items_markdown(const std::vector<item_unit>& items)
{
    std::string out;
    std::vector<std::string> printed; // the parent chain already written
    for (const auto& it : items) {
        std::size_t common = 0;
        while (common < printed.size() && common < it.parents.size() && printed[common] == it.parents[common])
            ++common;
        printed.resize(common);
        for (std::size_t d = common; d < it.parents.size(); ++d) {
            out += std::string(2 * d, ' ') + "- " + it.parents[d] + "\n";
            printed.push_back(it.parents[d]);
        }
        out += std::string(2 * it.parents.size(), ' ') + "- " + it.text + "\n";
        printed.push_back(it.text); // a later child of this item goes under it, not under a copy
    }
    if (!out.empty())
        out.pop_back();
    return out;
}

std::string rows_markdown(const std::vector<row_unit>& rows)
{
    std::string out;
    const md::block* table = nullptr;
    for (const auto& r : rows) {
        if (r.table != table) {
            if (table)
                out += "\n\n";
            table = r.table;
            auto header = md::make_block(md::block_kind::table);
            header.rows.push_back(table->rows.front());
            out += md::to_markdown(header);
        }
        out += "\n|";
        for (const auto& cell : table->rows[r.row]) {
            std::string safe;
            for (char c : md::to_markdown(cell))
                safe += c == '|' ? std::string("\\|") : std::string(1, c);
            out += " " + safe + " |";
        }
    }
    return out;
}

// The code example that shares the most with the question; short ones
// only, so an answer stays an answer.
const md::block* best_code(const section_units& u, const question_terms& q)
{
    const md::block* best = nullptr;
    double best_score = -1;
    for (const auto* c : u.code) {
        if (line_count(c->code) > max_code_lines)
            continue;
        // A one-line import says little; an example that uses the question's words says most.
        auto score = q.overlap(c->code) + (line_count(c->code) > 2 ? 0.5 : 0.0);
        if (score > best_score) {
            best = c;
            best_score = score;
        }
    }
    return best;
}

// Whether `sentence` is one the reader selected (most of its words are
// the passage's): the answer explains the passage with what surrounds it,
// instead of reading it back to them.
bool repeats(std::string_view selected, const std::string& sentence)
{
    auto words = [](std::string_view t) {
        std::vector<std::string> out(1);
        for (char c : t) {
            if (std::isalnum(static_cast<unsigned char>(c)))
                out.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            else if (!out.back().empty())
                out.emplace_back();
        }
        if (out.back().empty())
            out.pop_back();
        return out;
    };
    auto said = words(sentence);
    auto passage = words(selected);
    std::set<std::string> in_passage(passage.begin(), passage.end());
    auto shared = std::count_if(said.begin(), said.end(), [&](const std::string& w) { return in_passage.contains(w); });
    return !said.empty() && static_cast<double>(shared) >= 0.7 * static_cast<double>(said.size());
}

// Empty when the section says nothing beyond the selection.
std::string section_answer(const section& s, const question_terms& q, int n, std::string_view selected = {})
{
    section_units u;
    std::vector<std::string> parents;
    u.collect(s.body, q, parents, true);
    if (!selected.empty()) {
        std::erase_if(u.sentences, [&](const sentence_unit& x) { return repeats(selected, x.text); });
        if (repeats(selected, u.lead))
            u.lead.clear();
        if (u.sentences.empty())
            return {};
    }
    std::vector<std::string> parts{lead_paragraph(s, u, n)};
    auto items = best_in_order(
        u.items, max_items, close_to_best, [](const item_unit& x) { return x.score; },
        [](const item_unit& x) { return x.order; });
    if (!items.empty())
        parts.push_back(items_markdown(items));
    auto rows = best_in_order(
        u.rows, max_rows, close_to_best, [](const row_unit& x) { return x.score; },
        [](const row_unit& x) { return x.order; });
    if (!rows.empty())
        parts.push_back(rows_markdown(rows));
    if (const auto* code = best_code(u, q))
        parts.push_back(md::fenced(
            code->code.ends_with('\n') ? code->code.substr(0, code->code.size() - 1) : code->code, code->lang));
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "\n\n") + p;
    return out;
}

// The section's name and the sentence of it that shares most with the
// question (its lead when none shares more): why it is worth opening.
std::string see_also(const section& s, const question_terms& q, int n)
{
    section_units u;
    std::vector<std::string> parents;
    u.collect(s.body, q, parents, true);
    std::string name = names_an_api(heading_of(s)) ? api_name(*heading_of(s)) : bold(s.title);
    const std::string* said = &u.lead;
    double best = 0;
    for (const auto& x : u.sentences)
        if (x.text == u.lead)
            best = x.score;
    // A sentence must share a word, as a lead paragraph's must, and more than the lead.
    for (const auto& x : u.sentences)
        if (x.score > best && x.score >= 1.0) {
            best = x.score;
            said = &x.text;
        }
    return "See also " + name + (said->empty() ? "" : ": " + *said) + " " + cite(n);
}

std::string selection_answer(const std::string& selected, const question_terms& q)
{
    auto all = sentences_of(selected);
    std::vector<sentence_unit> units;
    for (auto& s : all)
        units.push_back({s, q.overlap(s), units.size()});
    auto chosen = best_in_order(
        units, 2, close_to_best, [](const sentence_unit& x) { return x.score; },
        [](const sentence_unit& x) { return x.order; });
    if (chosen.empty())
        chosen.assign(units.begin(),
                      units.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(2, units.size())));
    std::string out = "From the passage you selected:";
    for (const auto& c : chosen)
        out += " " + c.text;
    return out;
}

} // namespace

std::string compose_answer(const grounding& g)
{
    question_terms q(g.question);
    std::vector<std::string> parts;
    const bool about_selection = g.mode == "chat" && !g.selected_text.empty();
    // A question that names something in the passage ("what does this say
    // about themes?") is answered from it first. One that only asks to have
    // it explained ("what does this mean?") shares no word with it: it is
    // answered from the corpus around it, in the passage's words, never
    // with the passage itself.
    const bool explain = about_selection && q.overlap(g.selected_text) < 1.0;
    if (about_selection && !explain)
        parts.push_back(selection_answer(g.selected_text, q));
    const question_terms topic(explain ? g.question + " " + g.selected_text : g.question);
    const std::string_view avoid = explain ? std::string_view(g.selected_text) : std::string_view();
    std::size_t lead = 0;
    for (; lead < g.sources.size(); ++lead)
        if (auto answer = section_answer(*g.sources[lead].doc, topic, static_cast<int>(lead + 1), avoid);
            !answer.empty()) {
            parts.push_back(std::move(answer));
            break;
        }
    for (std::size_t i = lead + 1; i < g.sources.size(); ++i)
        if (g.sources[i].score >= see_also_ratio * g.sources[lead].score &&
            g.sources[i].doc->title != g.sources[lead].doc->title) {
            parts.push_back(see_also(*g.sources[i].doc, topic, static_cast<int>(i + 1)));
            break;
        }
    if (explain && parts.empty())
        parts.push_back(selection_answer(g.selected_text, q)); // the docs say no more than the passage
    if (parts.empty())
        return refusal;
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "\n\n") + p;
    return out;
}

} // namespace chatkit::chat
