#include "chatkit/chat/markdown.hpp"

#include <md4c.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace chatkit::chat::md {

namespace {

void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// The entities documentation actually uses; any other one stays as written.
void decode_entity(std::string& out, std::string_view entity)
{
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 28> named{{
        {"&amp;", '&'},      {"&lt;", '<'},       {"&gt;", '>'},       {"&quot;", '"'},     {"&apos;", '\''},
        {"&nbsp;", 0xA0},    {"&copy;", 0xA9},    {"&reg;", 0xAE},     {"&trade;", 0x2122}, {"&hellip;", 0x2026},
        {"&mdash;", 0x2014}, {"&ndash;", 0x2013}, {"&lsquo;", 0x2018}, {"&rsquo;", 0x2019}, {"&ldquo;", 0x201C},
        {"&rdquo;", 0x201D}, {"&times;", 0xD7},   {"&rarr;", 0x2192},  {"&larr;", 0x2190},  {"&harr;", 0x2194},
        {"&middot;", 0xB7},  {"&bull;", 0x2022},  {"&deg;", 0xB0},     {"&plusmn;", 0xB1},  {"&sect;", 0xA7},
        {"&laquo;", 0xAB},   {"&raquo;", 0xBB},   {"&euro;", 0x20AC},
    }};
    if (entity.starts_with("&#") && entity.size() > 3 && entity.back() == ';') {
        bool hex = entity[2] == 'x' || entity[2] == 'X';
        auto digits = entity.substr(hex ? 3 : 2, entity.size() - (hex ? 4 : 3));
        std::uint32_t cp = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        if (ec == std::errc() && end == digits.data() + digits.size()) {
            append_utf8(out, cp);
            return;
        }
    }
    for (auto& [name, cp] : named)
        if (name == entity) {
            append_utf8(out, cp);
            return;
        }
    out.append(entity);
}

// An attribute's text with its entities decoded (md4c leaves them as
// written: "?a=1&amp;b=2").
std::string attribute_text(const MD_ATTRIBUTE& a)
{
    std::string out;
    if (!a.text)
        return out;
    for (std::size_t i = 0; a.substr_offsets[i] < a.size; ++i) {
        std::string_view piece(a.text + a.substr_offsets[i], a.substr_offsets[i + 1] - a.substr_offsets[i]);
        if (a.substr_types[i] == MD_TEXT_ENTITY)
            decode_entity(out, piece);
        else if (a.substr_types[i] == MD_TEXT_NULLCHAR)
            out += "\xEF\xBF\xBD";
        else
            out.append(piece);
    }
    return out;
}

// Nesting deeper than this (quotes in quotes, lists in lists) is read as
// the level above: no document needs it, and a hostile one must not make
// every walk over the tree recurse a hundred thousand times.
constexpr int max_nesting = 32;

// Builds blocks from md4c's enter/leave/text callbacks. Only the innermost
// open block receives text; open blocks are always the last element of
// their parent's list, so pointers to them stay valid while they are open.
class builder {
public:
    std::vector<block> result;

    int enter_block(MD_BLOCKTYPE type, void* detail)
    {
        bool container = type == MD_BLOCK_QUOTE || type == MD_BLOCK_UL || type == MD_BLOCK_OL || type == MD_BLOCK_LI;
        if (container) {
            kept_.push_back(nesting_ < max_nesting);
            if (!kept_.back())
                return 0;
            ++nesting_;
        }
        switch (type) {
        case MD_BLOCK_DOC:
            break;
        case MD_BLOCK_QUOTE:
            open(block_kind::quote);
            break;
        case MD_BLOCK_UL:
        case MD_BLOCK_OL: {
            auto& b = open(block_kind::list);
            if (type == MD_BLOCK_OL) {
                b.ordered = true;
                b.start = static_cast<const MD_BLOCK_OL_DETAIL*>(detail)->start;
            }
            break;
        }
        case MD_BLOCK_LI:
            stack_.back().b->items.emplace_back();
            stack_.push_back({stack_.back().b, frame_kind::item});
            break;
        case MD_BLOCK_HR:
            close_implicit();
            target().push_back(make_block(block_kind::rule));
            break;
        case MD_BLOCK_H:
            open(block_kind::heading).level = static_cast<int>(static_cast<const MD_BLOCK_H_DETAIL*>(detail)->level);
            break;
        case MD_BLOCK_CODE: {
            auto& b = open(block_kind::code);
            b.lang = attribute_text(static_cast<const MD_BLOCK_CODE_DETAIL*>(detail)->lang);
            break;
        }
        case MD_BLOCK_HTML:
            ++skipping_;
            break;
        case MD_BLOCK_P:
            open(block_kind::paragraph);
            break;
        case MD_BLOCK_TABLE:
            open(block_kind::table);
            break;
        case MD_BLOCK_TR:
            stack_.back().b->rows.emplace_back();
            break;
        case MD_BLOCK_TH:
        case MD_BLOCK_TD:
            stack_.back().b->rows.back().emplace_back();
            cell_ = &stack_.back().b->rows.back().back();
            break;
        default:
            break;
        }
        return 0;
    }

    int leave_block(MD_BLOCKTYPE type)
    {
        if (type == MD_BLOCK_QUOTE || type == MD_BLOCK_UL || type == MD_BLOCK_OL || type == MD_BLOCK_LI) {
            bool kept = kept_.back();
            kept_.pop_back();
            if (!kept)
                return 0;
            --nesting_;
        }
        switch (type) {
        case MD_BLOCK_HTML:
            --skipping_;
            break;
        case MD_BLOCK_TH:
        case MD_BLOCK_TD:
            cell_ = nullptr;
            break;
        case MD_BLOCK_HR:
        case MD_BLOCK_DOC:
        case MD_BLOCK_TR:
        case MD_BLOCK_THEAD:
        case MD_BLOCK_TBODY:
            break;
        case MD_BLOCK_H:
            close_implicit();
            take_explicit_id(*stack_.back().b);
            stack_.pop_back();
            break;
        case MD_BLOCK_CODE:
            stack_.pop_back();
            break;
        default:
            close_implicit();
            stack_.pop_back();
            break;
        }
        return 0;
    }

    int enter_span(MD_SPANTYPE type, void* detail)
    {
        switch (type) {
        case MD_SPAN_EM:
            styles_.push_back(emphasis);
            break;
        case MD_SPAN_STRONG:
            styles_.push_back(strong);
            break;
        case MD_SPAN_DEL:
            styles_.push_back(strike);
            break;
        case MD_SPAN_CODE:
            styles_.push_back(code);
            break;
        case MD_SPAN_A: {
            hrefs_.push_back(attribute_text(static_cast<const MD_SPAN_A_DETAIL*>(detail)->href));
            break;
        }
        case MD_SPAN_IMG:
            ++skipping_;
            break;
        default:
            styles_.push_back(plain);
            break;
        }
        return 0;
    }

    int leave_span(MD_SPANTYPE type)
    {
        if (type == MD_SPAN_A)
            hrefs_.pop_back();
        else if (type == MD_SPAN_IMG)
            --skipping_;
        else
            styles_.pop_back();
        return 0;
    }

    int text(MD_TEXTTYPE type, std::string_view t)
    {
        if (skipping_ > 0 || type == MD_TEXT_HTML)
            return 0;
        if (!stack_.empty() && stack_.back().kind == frame_kind::block && stack_.back().b->kind == block_kind::code) {
            if (type == MD_TEXT_NULLCHAR)
                stack_.back().b->code += "\xEF\xBF\xBD";
            else
                stack_.back().b->code.append(t);
            return 0;
        }
        std::string piece;
        switch (type) {
        case MD_TEXT_NULLCHAR:
            piece = "\xEF\xBF\xBD";
            break;
        case MD_TEXT_BR:
        case MD_TEXT_SOFTBR:
            piece = " ";
            break;
        case MD_TEXT_ENTITY:
            decode_entity(piece, t);
            break;
        default:
            piece.assign(t);
            break;
        }
        append_inline(std::move(piece));
        return 0;
    }

private:
    enum class frame_kind { block, item };
    struct frame {
        block* b;
        frame_kind kind;
        bool implicit = false; // a paragraph opened for the loose text of a tight list item
    };

    std::vector<block>& target()
    {
        if (stack_.empty())
            return result;
        auto& top = stack_.back();
        return top.kind == frame_kind::item ? top.b->items.back() : top.b->children;
    }

    block& open(block_kind kind)
    {
        close_implicit();
        auto& list = target();
        list.push_back(make_block(kind));
        stack_.push_back({&list.back(), frame_kind::block});
        return list.back();
    }

    void close_implicit()
    {
        if (!stack_.empty() && stack_.back().implicit)
            stack_.pop_back();
    }

    inlines* inline_target()
    {
        if (cell_)
            return cell_;
        if (!stack_.empty()) {
            auto& top = stack_.back();
            if (top.kind == frame_kind::block &&
                (top.b->kind == block_kind::paragraph || top.b->kind == block_kind::heading))
                return &top.b->text;
        }
        // Text straight inside a tight list item (or a quote): give it a paragraph.
        auto& list = target();
        list.push_back(make_block(block_kind::paragraph));
        stack_.push_back({&list.back(), frame_kind::block, true});
        return &list.back().text;
    }

    void append_inline(std::string piece)
    {
        auto* runs = inline_target();
        std::uint8_t s = plain;
        for (auto bit : styles_)
            s |= bit;
        const std::string href = hrefs_.empty() ? std::string() : hrefs_.back();
        if (!runs->empty() && runs->back().styles == s && runs->back().href == href)
            runs->back().text += piece;
        else
            runs->push_back({std::move(piece), href, s});
    }

    // `## Title {#id}` (Docusaurus) and `## Title { #id .class }` (MkDocs
    // attr_list): the id is the heading's, the braces are not its text.
    static void take_explicit_id(block& h)
    {
        if (h.text.empty() || h.text.back().styles != plain)
            return;
        auto& last = h.text.back().text;
        auto close = last.find_last_not_of(" \t");
        if (close == std::string::npos || last[close] != '}')
            return;
        auto open_at = last.rfind('{', close);
        if (open_at == std::string::npos)
            return;
        std::string_view attrs(last.data() + open_at + 1, close - open_at - 1);
        auto hash = attrs.find('#');
        if (hash == std::string_view::npos)
            return;
        auto end = attrs.find_first_of(" \t}", hash);
        auto id = attrs.substr(hash + 1, end == std::string_view::npos ? std::string_view::npos : end - hash - 1);
        if (id.empty())
            return;
        h.id.assign(id);
        last.erase(open_at);
        while (!last.empty() && (last.back() == ' ' || last.back() == '\t'))
            last.pop_back();
        if (last.empty())
            h.text.pop_back();
    }

    std::vector<frame> stack_;
    std::vector<bool> kept_; // per open container: opened, or read as its parent (too deep)
    int nesting_ = 0;
    inlines* cell_ = nullptr;
    std::vector<std::uint8_t> styles_;
    std::vector<std::string> hrefs_;
    int skipping_ = 0;
};

builder& of(void* user)
{
    return *static_cast<builder*>(user);
}

void plain_of(std::span<const block> blocks, bool with_code, std::string& out)
{
    auto add = [&out](std::string_view text) {
        if (text.empty())
            return;
        if (!out.empty() && out.back() != ' ')
            out += ' ';
        out.append(text);
    };
    for (const auto& b : blocks) {
        switch (b.kind) {
        case block_kind::heading:
        case block_kind::paragraph:
            add(text_of(b.text));
            break;
        case block_kind::list:
            for (const auto& item : b.items)
                plain_of(item, with_code, out);
            break;
        case block_kind::code:
            if (with_code)
                add(b.code);
            break;
        case block_kind::table:
            for (const auto& row : b.rows)
                for (const auto& cell : row)
                    add(text_of(cell));
            break;
        case block_kind::quote:
        case block_kind::aside:
            add(b.label);
            plain_of(b.children, with_code, out);
            break;
        case block_kind::rule:
            break;
        }
    }
}

} // namespace

std::vector<block> parse(std::string_view markdown)
{
    MD_PARSER parser{};
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) {
        return of(u).enter_block(t, d);
    };
    parser.leave_block = [](MD_BLOCKTYPE t, void*, void* u) {
        return of(u).leave_block(t);
    };
    parser.enter_span = [](MD_SPANTYPE t, void* d, void* u) {
        return of(u).enter_span(t, d);
    };
    parser.leave_span = [](MD_SPANTYPE t, void*, void* u) {
        return of(u).leave_span(t);
    };
    parser.text = [](MD_TEXTTYPE t, const MD_CHAR* text, MD_SIZE size, void* u) {
        return of(u).text(t, std::string_view(text, size));
    };
    builder b;
    md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &b);
    return std::move(b.result);
}

std::string text_of(const inlines& runs)
{
    std::string out;
    for (const auto& r : runs)
        out += r.text;
    // Soft breaks and dropped tags leave runs of spaces.
    std::string collapsed;
    collapsed.reserve(out.size());
    for (char c : out) {
        bool space = c == ' ' || c == '\t' || c == '\n';
        if (space && (collapsed.empty() || collapsed.back() == ' '))
            continue;
        collapsed += space ? ' ' : c;
    }
    while (!collapsed.empty() && collapsed.back() == ' ')
        collapsed.pop_back();
    return collapsed;
}

std::string plain_text(std::span<const block> blocks, bool with_code)
{
    std::string out;
    plain_of(blocks, with_code, out);
    return out;
}

std::size_t repair_utf8(std::string& text)
{
    std::size_t repairs = 0;
    std::string out;
    std::size_t i = 0;
    const auto n = text.size();
    auto cont = [&](std::size_t at) {
        return at < n && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80;
    };
    while (i < n) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = 0;
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF && cont(i + 1))
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF && cont(i + 1) && cont(i + 2)) {
            auto c1 = static_cast<unsigned char>(text[i + 1]);
            bool overlong = c == 0xE0 && c1 < 0xA0;
            bool surrogate = c == 0xED && c1 >= 0xA0;
            len = overlong || surrogate ? 0 : 3;
        } else if (c >= 0xF0 && c <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            auto c1 = static_cast<unsigned char>(text[i + 1]);
            bool overlong = c == 0xF0 && c1 < 0x90;
            bool too_big = c == 0xF4 && c1 >= 0x90;
            len = overlong || too_big ? 0 : 4;
        }
        if (len == 0) {
            if (repairs == 0)
                out.assign(text, 0, i);
            ++repairs;
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (repairs > 0)
            out.append(text, i, len);
        i += len;
    }
    if (repairs > 0)
        text = std::move(out);
    return repairs;
}

} // namespace chatkit::chat::md
