#include "chatkit/chat/corpus/corpus.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace chatkit::chat {

namespace {

bool is_markdown(const std::filesystem::path& p)
{
    auto ext = p.extension();
    return ext == ".md" || ext == ".markdown" || ext == ".mdx";
}

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Every heading, those inside asides and lists too, in document order.
template <class Blocks, class Visit> void for_each_heading(Blocks& blocks, const Visit& visit)
{
    for (auto& b : blocks) {
        if (b.kind == md::block_kind::heading)
            visit(b);
        for (auto& item : b.items)
            for_each_heading(item, visit);
        for_each_heading(b.children, visit);
    }
}

// Headings get their anchors in document order, as the site generators
// number them; explicit ids are taken first.
void assign_anchors(std::vector<md::block>& blocks, anchor_slugger& slugger)
{
    for_each_heading(blocks, [&](md::block& h) {
        if (!h.id.empty())
            slugger.reserve(h.id);
    });
    for_each_heading(blocks, [&](md::block& h) { h.id = slugger.next(md::text_of(h.text), h.id); });
}

void collect_code(std::span<const md::block> blocks, std::string& out)
{
    for (const auto& b : blocks) {
        if (b.kind == md::block_kind::code)
            out.append(b.code);
        for (const auto& item : b.items)
            collect_code(item, out);
        collect_code(b.children, out);
    }
}

std::string without_extension(const std::string& path)
{
    auto dot = path.rfind('.');
    auto slash = path.rfind('/');
    return dot == std::string::npos || (slash != std::string::npos && dot < slash) ? path : path.substr(0, dot);
}

} // namespace

std::string slugify(std::string_view text)
{
    std::string out;
    bool dash = false;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += static_cast<char>(c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
            dash = false;
        } else if (!out.empty() && !dash) {
            out += '-';
            dash = true;
        }
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out.empty() ? "section" : out;
}

std::string excerpt(std::string_view text, std::size_t max)
{
    if (text.size() <= max)
        return std::string(text);
    std::size_t cut = max - 3; // room for "…" (3 bytes)
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    auto space = text.rfind(' ', cut);
    if (space != std::string_view::npos && space > max / 2)
        cut = space;
    return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

std::size_t corpus::add(const std::string& relative_path, std::string text, const corpus_options& options,
                        const include_reader& read)
{
    auto repairs = md::repair_utf8(text);
    auto parsed =
        parse_page(text, relative_path,
                   read ? read : include_reader([](const std::string&) { return std::optional<std::string>(); }));
    anchor_slugger slugger(options.site);
    assign_anchors(parsed.blocks, slugger);

    auto& p = *pages_.emplace_back(std::make_unique<page>());
    p.path = relative_path;
    p.url = options.url_prefix + url_path_encode(page_path(options.site, relative_path, parsed.meta));
    p.blocks = std::move(parsed.blocks);
    p.title = parsed.meta.title;
    for (const auto& b : p.blocks)
        if (p.title.empty() && b.kind == md::block_kind::heading)
            p.title = md::text_of(b.text);
    if (p.title.empty()) {
        auto stem = without_extension(relative_path);
        p.title = stem.substr(stem.rfind('/') == std::string::npos ? 0 : stem.rfind('/') + 1);
    }

    const auto path_slug = slugify(without_extension(relative_path));
    std::vector<std::pair<int, std::string>> open; // headings above the current one: level, title
    auto add_section = [&](std::size_t first, std::size_t last, const md::block* heading) {
        if (parsed.meta.search_exclude)
            return; // the site keeps it out of its search: so do answers
        section s;
        s.source = &p;
        s.body = std::span<const md::block>(p.blocks).subspan(first, last - first);
        s.plain = md::plain_text(s.body, false);
        collect_code(s.body, s.code);
        for (const auto& b : s.body)
            if (b.kind == md::block_kind::paragraph) {
                s.lead = md::text_of(b.text);
                break;
            }
        if (s.plain.empty() && s.code.empty())
            return; // a heading with nothing under it: its subsections carry the text
        s.title = heading ? md::text_of(heading->text) : p.title;
        if (open.empty() || open.front().second != p.title)
            s.trail.push_back(p.title);
        for (const auto& o : open)
            s.trail.push_back(o.second);
        if (open.empty() && !s.trail.empty() && s.trail.back() == s.title)
            s.trail.pop_back();
        s.id = path_slug + "#" + (heading ? heading->id : std::string("intro"));
        // "a/b.md" and "a-b.md" slug alike: ids stay unique anyway.
        for (int n = 2; !ids_.insert(s.id).second; ++n)
            s.id = path_slug + "#" + (heading ? heading->id : std::string("intro")) + "-" + std::to_string(n);
        s.url = p.url + (heading ? "#" + heading->id : std::string());
        sections_.push_back(std::move(s));
    };

    const md::block* heading = nullptr;
    std::size_t first = 0;
    for (std::size_t i = 0; i <= p.blocks.size(); ++i) {
        if (i < p.blocks.size() && p.blocks[i].kind != md::block_kind::heading)
            continue;
        add_section(first, i, heading);
        if (i == p.blocks.size())
            break;
        if (heading)
            open.emplace_back(heading->level, md::text_of(heading->text));
        heading = &p.blocks[i];
        while (!open.empty() && open.back().first >= heading->level)
            open.pop_back();
        first = i + 1;
    }
    if (!by_url_.emplace(p.url, &p).second)
        spdlog::warn("corpus files {} and {} publish at the same URL {}; citations lead to the first",
                     by_url_[p.url]->path, p.path, p.url);
    by_path_.emplace(p.path, &p);
    return repairs;
}

const page* corpus::find_page(std::string_view url) const
{
    auto it = by_url_.find(url);
    return it == by_url_.end() ? nullptr : it->second;
}

const page* corpus::page_at(std::string_view path) const
{
    auto it = by_path_.find(path);
    return it == by_path_.end() ? nullptr : it->second;
}

std::string corpus_fingerprint(const std::filesystem::path& dir)
{
    // Every file counts, not only Markdown: an included snippet changes pages.
    std::vector<std::string> entries;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code e;
        if (!it->is_regular_file(e))
            continue;
        auto size = it->file_size(e);
        auto written = it->last_write_time(e).time_since_epoch().count();
        entries.push_back(it->path().generic_string() + '\t' + std::to_string(size) + '\t' + std::to_string(written));
    }
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const auto& e : entries)
        out.append(e).append("\n");
    return out;
}

bool corpus::is_image(const std::filesystem::path& p)
{
    auto ext = p.extension();
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".gif" || ext == ".svg" || ext == ".webp";
}

void corpus::add_image(std::string relative_path, std::filesystem::path file)
{
    images_.insert_or_assign(std::move(relative_path), std::move(file));
}

const std::filesystem::path* corpus::image_at(std::string_view path) const
{
    auto it = images_.find(path);
    return it == images_.end() ? nullptr : &it->second;
}

std::shared_ptr<const corpus> load_corpus(const std::filesystem::path& dir, const corpus_options& options)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw std::runtime_error("CORPUS_DIR is not a folder: " + dir.string());
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && (is_markdown(it->path()) || corpus::is_image(it->path())))
            files.push_back(it->path());
    if (ec)
        throw std::runtime_error("cannot read CORPUS_DIR " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());

    const auto root = std::filesystem::weakly_canonical(dir);
    include_reader read = [&root](const std::string& inside) -> std::optional<std::string> {
        std::error_code e;
        auto target = std::filesystem::weakly_canonical(root / inside, e);
        auto rel = target.lexically_relative(root);
        if (e || rel.empty() || *rel.begin() == ".." || !std::filesystem::is_regular_file(target, e))
            return std::nullopt; // only files inside the corpus, even through symlinks
        return read_file(target);
    };
    auto out = std::make_shared<corpus>();
    for (const auto& file : files) {
        auto relative = std::filesystem::relative(file, dir).generic_string();
        if (corpus::is_image(file)) {
            // As a page's text: a link to a file outside the corpus is not served.
            std::error_code e;
            auto target = std::filesystem::weakly_canonical(file, e);
            auto rel = target.lexically_relative(root);
            if (!e && !rel.empty() && *rel.begin() != ".." &&
                std::filesystem::file_size(target, e) <= corpus::max_image_bytes && !e)
                out->add_image(relative, target);
            continue;
        }
        // A link to a file elsewhere (/proc/self/environ, a secret) is not documentation.
        auto text = read(relative);
        if (!text) {
            spdlog::warn("corpus file {} leads outside CORPUS_DIR; skipped", relative);
            continue;
        }
        if (auto repairs = out->add(relative, std::move(*text), options, read))
            spdlog::warn("corpus file {} is not valid UTF-8: {} byte sequence(s) replaced with U+FFFD", relative,
                         repairs);
    }
    return out;
}

} // namespace chatkit::chat
