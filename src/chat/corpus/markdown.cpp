#include "chatkit/chat/corpus/markdown.hpp"

#include "code_annotations.hpp"
#include "html_text.hpp"
#include "md_balanced.hpp"
#include "md_text.hpp"

#include <md4c.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace chatkit::chat::md {

namespace {

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
            html_.clear();
            in_html_ = true;
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
            in_html_ = false;
            close_implicit();
            for (auto& runs : html_paragraphs(html_)) {
                auto b = make_block(block_kind::paragraph);
                b.text = std::move(runs);
                target().push_back(std::move(b));
            }
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
            strip_code_annotations(stack_.back().b->code, stack_.back().b->lang);
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
        if (in_html_ && skipping_ == 1) {
            html_.append(t);
            return 0;
        }
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
    bool in_html_ = false; // inside a raw HTML block, whose text html_ gathers
    std::string html_;
};

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

using balanced = balanced_events<builder>;

balanced& events_of(void* u)
{
    return *static_cast<balanced*>(u);
}

} // namespace

std::vector<block> parse(std::string_view markdown)
{
    MD_PARSER parser{};
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) {
        return events_of(u).enter(false, t, d);
    };
    parser.leave_block = [](MD_BLOCKTYPE t, void*, void* u) {
        return events_of(u).leave(false, t);
    };
    parser.enter_span = [](MD_SPANTYPE t, void* d, void* u) {
        return events_of(u).enter(true, t, d);
    };
    parser.leave_span = [](MD_SPANTYPE t, void*, void* u) {
        return events_of(u).leave(true, t);
    };
    parser.text = [](MD_TEXTTYPE t, const MD_CHAR* text, MD_SIZE size, void* u) {
        return events_of(u).text(t, std::string_view(text, size));
    };
    builder b;
    balanced events(b);
    md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &events);
    events.finish();
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

} // namespace chatkit::chat::md
