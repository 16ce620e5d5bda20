#include "chatkit/chat/answer/citations.hpp"

#include <algorithm>

namespace chatkit::chat {

namespace {

// "[" and what may follow it before "]": longer than this, it is not a citation.
constexpr std::size_t max_citation_bytes = 32;
// "[2024]" is a year, not the 2024th source.
constexpr std::size_t max_number_digits = 3;

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Whether `inside` (what follows "[") can still become "n" or "n, m, ...".
bool citation_prefix(std::string_view inside)
{
    std::size_t at = 0;
    for (;;) {
        auto start = at;
        while (at < inside.size() && is_digit(inside[at]))
            ++at;
        if (at - start > max_number_digits)
            return false;
        if (at == inside.size())
            return true;
        if (at == start || inside[at] != ',')
            return false;
        ++at;
        while (at < inside.size() && inside[at] == ' ')
            ++at;
    }
}

std::vector<std::size_t> numbers_of(std::string_view inside)
{
    std::vector<std::size_t> out;
    std::size_t n = 0;
    for (char c : inside) {
        if (is_digit(c)) {
            n = n * 10 + static_cast<std::size_t>(c - '0');
        } else if (c == ',') {
            out.push_back(n);
            n = 0;
        }
    }
    out.push_back(n);
    return out;
}

} // namespace

citation_filter::citation_filter(std::vector<std::size_t> renumber) : renumber_(std::move(renumber)) {}

citation_filter citation_filter::checking(std::size_t given)
{
    std::vector<std::size_t> same(given);
    for (std::size_t i = 0; i < given; ++i)
        same[i] = i + 1;
    return citation_filter(std::move(same));
}

std::string citation_filter::feed(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + held_.size());
    for (char c : text)
        put(c, out);
    return out;
}

std::string citation_filter::finish()
{
    std::string out;
    release(out);
    return out;
}

void citation_filter::release(std::string& out)
{
    out += held_;
    held_.clear();
    bracket_ = false;
}

void citation_filter::end_run()
{
    if (run_at_line_start_ && run_ >= 3) {
        if (fence_ == 0) {
            fence_char_ = run_char_;
            fence_ = run_;
        } else if (run_char_ == fence_char_ && run_ >= fence_) {
            fence_ = 0;
        }
    } else if (run_char_ == '`' && fence_ == 0) {
        if (span_ == 0)
            span_ = run_;
        else if (run_ == span_)
            span_ = 0;
    }
    run_ = 0;
}

void citation_filter::put(char c, std::string& out)
{
    // Spaces a removed citation took: given back when another citation
    // follows at once ("word [9][1]" is "word [1]", not "word[1]").
    std::string taken = std::move(dropped_);
    dropped_.clear();
    // Code: a backtick or tilde run is judged once it ends (its length says
    // whether it opens or closes anything); the character after it is then
    // read in the right state.
    if (run_ > 0 && c == run_char_) {
        ++run_;
        out += c;
        return;
    }
    if (run_ > 0)
        end_run();
    if (c == '`' || c == '~') {
        release(out);
        run_char_ = c;
        run_ = 1;
        run_at_line_start_ = line_start_;
        line_start_ = false;
        out += c;
        return;
    }
    if (c == '\n') {
        release(out);
        out += c;
        line_start_ = true;
        span_ = 0; // a code span the model never closed ends with its line
        return;
    }
    if (fence_ > 0 || span_ > 0) {
        out += c;
        line_start_ = line_start_ && c == ' ';
        return;
    }
    if (bracket_) {
        if (c == ']') {
            resolve(out);
            return;
        }
        auto inside = std::string_view(held_).substr(held_.find('[') + 1);
        if (held_.size() < max_citation_bytes && (is_digit(c) || c == ',' || c == ' ') &&
            citation_prefix(std::string(inside) + c)) {
            held_ += c;
            return;
        }
        release(out); // not a citation: as written, and `c` is read afresh
    }
    if (c == ' ') {
        held_ += c;
        return;
    }
    if (c == '[') {
        if (held_.empty())
            held_ = std::move(taken);
        held_ += c;
        bracket_ = true;
        line_start_ = false;
        return;
    }
    release(out);
    out += c;
    line_start_ = false;
}

void citation_filter::resolve(std::string& out)
{
    auto open = held_.find('[');
    std::string_view inside = std::string_view(held_).substr(open + 1);
    if (inside.empty() || !is_digit(inside.back())) {
        held_ += ']';
        release(out);
        return;
    }
    auto numbers = numbers_of(inside);
    std::vector<std::size_t> kept;
    for (auto n : numbers) {
        auto to = n >= 1 && n <= renumber_.size() ? renumber_[n - 1] : 0;
        if (to == 0 || std::find(kept.begin(), kept.end(), to) != kept.end())
            continue;
        kept.push_back(to);
        if (std::find(cited_.begin(), cited_.end(), to) == cited_.end())
            cited_.push_back(to);
    }
    if (kept.empty()) {
        dropped_ = held_.substr(0, open);
        held_.clear();
        bracket_ = false;
        return;
    }
    if (kept == numbers) {
        held_ += ']'; // as the model wrote it
        release(out);
        return;
    }
    out.append(held_, 0, open);
    out += '[';
    for (std::size_t i = 0; i < kept.size(); ++i)
        out += (i ? ", " : "") + std::to_string(kept[i]);
    out += ']';
    held_.clear();
    bracket_ = false;
}

std::string without_citations(std::string_view text)
{
    citation_filter none({});
    auto out = none.feed(text);
    return out + none.finish();
}

cited_order cited_first(std::string_view text, std::size_t sources)
{
    auto check = citation_filter::checking(sources);
    static_cast<void>(check.feed(text));
    cited_order out;
    out.order = check.cited();
    out.cited = out.order.size();
    for (std::size_t n = 1; n <= sources; ++n)
        if (std::find(out.order.begin(), out.order.end(), n) == out.order.end())
            out.order.push_back(n);
    std::vector<std::size_t> renumber(sources);
    for (std::size_t i = 0; i < out.order.size(); ++i)
        renumber[out.order[i] - 1] = i + 1;
    citation_filter renumbered(std::move(renumber));
    out.text = renumbered.feed(text);
    out.text += renumbered.finish();
    return out;
}

} // namespace chatkit::chat
