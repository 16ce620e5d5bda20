#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/corpus/markdown.hpp"
#include "chatkit/chat/corpus/markdown_out.hpp"
#include "chatkit/chat/corpus/markdown_page.hpp"
#include "chatkit/chat/corpus/page_html.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

using namespace chatkit::chat;
using md::block_kind;

namespace {

page_source page_of(std::string_view text, std::map<std::string, std::string> files = {})
{
    return parse_page(text, "guide/page.md", [files](const std::string& path) -> std::optional<std::string> {
        auto it = files.find(path);
        return it == files.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
}

std::string all_text(const std::vector<md::block>& blocks)
{
    return md::plain_text(blocks, true);
}

} // namespace

TEST(markdown, blocks_keep_their_structure)
{
    auto blocks = md::parse("# Title\n\nA *para* with `code` and [a link](https://x.org/).\n\n"
                            "1. one\n2. two\n   - nested\n\n```python hl_lines=\"1\"\nprint(1)\n```\n\n"
                            "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n---\n");
    ASSERT_EQ(blocks.size(), 7u);
    EXPECT_EQ(blocks[0].kind, block_kind::heading);
    EXPECT_EQ(blocks[0].level, 1);
    EXPECT_EQ(md::text_of(blocks[1].text), "A para with code and a link.");
    EXPECT_EQ(blocks[1].text[3].styles, md::code);
    EXPECT_EQ(blocks[1].text[5].href, "https://x.org/");
    EXPECT_TRUE(blocks[2].ordered);
    ASSERT_EQ(blocks[2].items.size(), 2u);
    EXPECT_EQ(blocks[2].items[1][1].kind, block_kind::list) << "a bullet under a numbered item nests";
    EXPECT_EQ(blocks[3].lang, "python") << "only the first word of the info string";
    EXPECT_EQ(blocks[3].code, "print(1)\n");
    ASSERT_EQ(blocks[4].rows.size(), 2u);
    EXPECT_EQ(md::text_of(blocks[4].rows[1][1]), "2");
    EXPECT_EQ(blocks[5].kind, block_kind::quote);
    EXPECT_EQ(blocks[6].kind, block_kind::rule);
}

TEST(markdown, raw_html_is_dropped_and_entities_decoded)
{
    auto blocks = md::parse("<div class=\"x\">\n<script>alert(1)</script>\n</div>\n\n"
                            "Press <kbd>Ctrl</kbd> &amp; &#x41;&#66; &copy;<!-- hidden -->\n\n"
                            "![diagram](d.png) after\n");
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(md::text_of(blocks[0].text), "Press Ctrl & AB \xC2\xA9");
    EXPECT_EQ(md::text_of(blocks[1].text), "after");
}

TEST(markdown, the_text_of_raw_html_blocks_is_content)
{
    auto blocks = md::parse(
        "### Yank Options\n\n<dl>\n\n<dt class=\"option-term\"><a href=\"#undo\"><code>--undo</code></a></dt>\n"
        "<dd class=\"option-desc\"><p>Undo a yank, putting a version back into the index.</p>\n</dd>\n\n"
        "<Listing caption=\"Using `Rc<T>` &amp; threads\">\n\n<details><summary>More</summary><style>p{}</style>"
        "<script>alert(1)</script><!-- note --><table><tr><td>a</td><td>b</td></tr></table></details>\n");
    std::vector<std::string> texts;
    for (const auto& b : blocks)
        if (b.kind == block_kind::paragraph)
            texts.push_back(md::to_markdown(b.text));
    EXPECT_EQ(texts, (std::vector<std::string>{"`--undo`", "Undo a yank, putting a version back into the index.",
                                               "More", "a b"}));
}

TEST(markdown, explicit_heading_ids_in_both_spellings)
{
    auto blocks = md::parse("## Install it { #setup .wide }\n\n### Tune {#tuning}\n\n## Plain {not an id}\n");
    EXPECT_EQ(blocks[0].id, "setup");
    EXPECT_EQ(md::text_of(blocks[0].text), "Install it");
    EXPECT_EQ(blocks[1].id, "tuning");
    EXPECT_EQ(md::text_of(blocks[1].text), "Tune");
    EXPECT_EQ(blocks[2].id, "");
    EXPECT_EQ(md::text_of(blocks[2].text), "Plain {not an id}");
}

TEST(markdown, invalid_utf8_is_repaired)
{
    std::string text = "caf\xE9 ok \xC3\xA9 \xED\xA0\x80 \xF0\x9F\x98\x80";
    EXPECT_EQ(md::repair_utf8(text), 4u);
    EXPECT_EQ(text, "caf\xEF\xBF\xBD ok \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xF0\x9F\x98\x80");
    std::string good = "plain \xE2\x80\xA6";
    EXPECT_EQ(md::repair_utf8(good), 0u);
}

TEST(markdown_page, front_matter_gives_title_slug_and_id)
{
    auto page = page_of("---\ntitle: \"Getting started\"\nslug: /start\nid: intro\ntags: [a]\n---\n\nBody.\n");
    EXPECT_EQ(page.meta.title, "Getting started");
    EXPECT_EQ(page.meta.slug, "/start");
    EXPECT_EQ(page.meta.id, "intro");
    ASSERT_EQ(page.blocks.size(), 1u);
    EXPECT_EQ(md::text_of(page.blocks[0].text), "Body.");

    auto spaced = page_of("--- \ntitle: Services\n--- \n\n## Weighted Round Robin\n\nBody.\n\n---\n\nAfter a rule.\n");
    EXPECT_EQ(spaced.meta.title, "Services") << "a closing line with a trailing space still closes";
    ASSERT_FALSE(spaced.blocks.empty());
    EXPECT_EQ(md::text_of(spaced.blocks[0].text), "Weighted Round Robin");
}

TEST(markdown_page, a_page_the_site_keeps_out_of_search_is_served_but_never_cited)
{
    EXPECT_TRUE(page_of("---\ntitle: Lab notes\nsearch:\n  exclude: true\n---\n\nBody.\n").meta.search_exclude);
    EXPECT_FALSE(page_of("---\nsearch:\n  boost: 2\n---\n\nBody.\n").meta.search_exclude);
    EXPECT_FALSE(page_of("---\nexclude: true\n---\n\nBody.\n").meta.search_exclude) << "only search's exclude";
    corpus c;
    c.add("notes.md", "---\nsearch:\n  exclude: true\n---\n\n# Lab notes\n\nHow the widget was measured.\n", {});
    c.add("widget.md", "# Widget\n\nEmbed the widget.\n", {});
    ASSERT_EQ(c.pages().size(), 2u) << "still a page, served at its URL";
    ASSERT_EQ(c.sections().size(), 1u);
    EXPECT_EQ(c.sections()[0].title, "Widget");
}

TEST(markdown_page, mkdocs_admonitions_and_tabs_become_asides)
{
    auto page =
        page_of("!!! warning \"Mind the gap\"\n    Inside **the** box.\n\n    ```sh\n    make\n    ```\n\n"
                "Outside.\n\n??? note\n    Collapsed.\n\n=== \"Python\"\n\n    ```python\n    x = 1\n    ```\n");
    ASSERT_EQ(page.blocks.size(), 4u);
    EXPECT_EQ(page.blocks[0].kind, block_kind::aside);
    EXPECT_EQ(page.blocks[0].label, "Mind the gap");
    ASSERT_EQ(page.blocks[0].children.size(), 2u);
    EXPECT_EQ(page.blocks[0].children[1].kind, block_kind::code) << "the body is dedented, not an indented code block";
    EXPECT_EQ(page.blocks[0].children[1].code, "make\n");
    EXPECT_EQ(md::text_of(page.blocks[1].text), "Outside.");
    EXPECT_EQ(page.blocks[2].label, "Note");
    EXPECT_EQ(page.blocks[3].label, "Python");
    EXPECT_EQ(page.blocks[3].children[0].lang, "python");
}

TEST(markdown_page, pymdownx_blocks_and_docusaurus_admonitions)
{
    auto page = page_of("/// tip | Use this\n\nA tip.\n\n///\n\n:::note[Heads up]\nA note.\n:::\n\n"
                        "::::danger\nOuter.\n:::info\nInner.\n:::\n::::\n\nAfter.\n");
    ASSERT_EQ(page.blocks.size(), 4u);
    EXPECT_EQ(page.blocks[0].label, "Use this");
    EXPECT_EQ(all_text(page.blocks[0].children), "A tip.");
    EXPECT_EQ(page.blocks[1].label, "Heads up");
    EXPECT_EQ(page.blocks[2].label, "Danger");
    ASSERT_EQ(page.blocks[2].children.size(), 2u);
    EXPECT_EQ(page.blocks[2].children[1].label, "Info") << "nested container";
    EXPECT_EQ(md::text_of(page.blocks[3].text), "After.");
}

TEST(markdown_page, includes_inside_the_corpus_are_resolved_others_dropped)
{
    auto page = page_of("Intro.\n\n{* ../docs_src/app.py hl[3] *}\n\n{* ../../../etc/passwd *}\n\n"
                        "{!../shared/note.md!}\n\n```python\n--8<-- \"docs_src/app.py\"\n```\n\n"
                        "--8<-- \"missing.md\"\n",
                        {{"docs_src/app.py", "app = App()\n"}, {"shared/note.md", "Shared *note*.\n"}});
    ASSERT_EQ(page.blocks.size(), 4u);
    EXPECT_EQ(page.blocks[1].kind, block_kind::code);
    EXPECT_EQ(page.blocks[1].code, "app = App()\n");
    EXPECT_EQ(page.blocks[1].lang, "python");
    EXPECT_EQ(md::text_of(page.blocks[2].text), "Shared note.");
    EXPECT_EQ(page.blocks[3].code, "app = App()\n") << "a snippet inside a fence is its code";
    EXPECT_EQ(all_text(page.blocks).find("passwd"), std::string::npos);
    EXPECT_EQ(all_text(page.blocks).find("8<"), std::string::npos);
}

TEST(markdown_page, docstring_directives_mdx_lines_and_abbreviations_are_dropped)
{
    auto page = page_of("import Tabs from '@theme/Tabs';\n\n::: fastapi.FastAPI\n    options:\n      members: true\n\n"
                        "Text about HTML.\n\n*[HTML]: Hyper Text Markup Language\n");
    ASSERT_EQ(page.blocks.size(), 1u);
    EXPECT_EQ(md::text_of(page.blocks[0].text), "Text about HTML.");
}

TEST(markdown_page, container_syntax_inside_code_fences_is_code)
{
    auto page = page_of("```markdown\n!!! note\n    not an admonition\n:::tip\n```\n");
    ASSERT_EQ(page.blocks.size(), 1u);
    EXPECT_EQ(page.blocks[0].code, "!!! note\n    not an admonition\n:::tip\n");
}

TEST(markdown_page, join_path_never_leaves_the_root)
{
    EXPECT_EQ(join_path("guide", "../docs_src/a.py"), "docs_src/a.py");
    EXPECT_EQ(join_path("guide", "./x/./y.md"), "guide/x/y.md");
    EXPECT_EQ(join_path("guide", "/top.md"), "top.md");
    EXPECT_FALSE(join_path("guide", "../../etc/passwd"));
    EXPECT_FALSE(join_path("", ".."));
}

TEST(markdown_out, answers_use_plain_commonmark)
{
    auto blocks = md::parse("Use **`a` and `b`** or *c*, see [x](https://e.org) and [local](other.md); "
                            "a * b, arr[1].\n\n- one\n  1. sub\n\n| k | v |\n|---|---|\n| a\\|b | 1 |\n");
    EXPECT_EQ(md::to_markdown(blocks[0]),
              "Use **`a` and `b`** or *c*, see [x](https://e.org) and local; a \\* b, arr\\[1].");
    EXPECT_EQ(md::to_markdown(blocks[1]), "- one\n  1. sub");
    EXPECT_EQ(md::to_markdown(blocks[2]), "| k | v |\n| --- | --- |\n| a\\|b | 1 |");
    EXPECT_EQ(md::fenced("has ``` inside", "md"), "````md\nhas ``` inside\n````");
    // Jest's "\[array&lt;string&gt;]": text, which a renderer must not take for a tag.
    EXPECT_EQ(md::to_markdown(md::parse("`roots` \\[array&lt;string&gt;], a < b\n")[0]),
              "`roots` [array\\<string>], a \\< b");
}

TEST(corpus, sections_keep_heading_path_body_and_urls)
{
    corpus c;
    c.add("guide/start.md",
          "---\ntitle: Start here\n---\n\nIntro text.\n\n## Install\n\nRun it.\n\n```sh\n# not a heading\nmake\n```\n\n"
          "### Tuning\n\nSet THREADS.\n\n## Empty\n\n## Install\n\nAgain.\n",
          {"/docs/", site_kind::plain});
    const auto& s = c.sections();
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].id, "guide-start#intro");
    EXPECT_EQ(s[0].title, "Start here");
    EXPECT_EQ(s[0].url, "/docs/guide/start.md");
    EXPECT_EQ(s[1].url, "/docs/guide/start.md#install");
    EXPECT_EQ(s[1].code, "# not a heading\nmake\n");
    EXPECT_EQ(s[2].title, "Tuning");
    EXPECT_EQ(s[2].trail, (std::vector<std::string>{"Start here", "Install"}));
    EXPECT_EQ(s[3].id, "guide-start#install-1") << "a repeated heading gets its own anchor";
    EXPECT_EQ(s[1].lead, "Run it.");
    EXPECT_EQ(c.find_page("/docs/guide/start.md"), s[0].source);
}

TEST(markdown, hostile_nesting_is_flattened_not_recursed)
{
    auto blocks = md::parse(std::string(100000, '>') + " deep\n\n" + [] {
        std::string list;
        for (int i = 0; i < 2000; ++i)
            list += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- level\n";
        return list;
    }());
    EXPECT_NE(md::plain_text(blocks, false).find("deep"), std::string::npos);
}

TEST(markdown_page, hostile_lines_and_includes_stay_cheap)
{
    std::string minified = "export const data = [" + std::string(300000, '1') + "];\n";
    auto page = page_of(minified + "{* " + std::string(60000, 'x') + "\n\nText.\n");
    EXPECT_EQ(all_text(page.blocks).find("Text."), all_text(page.blocks).size() - 5);
    // A page that includes itself (and a pair that include each other) ends.
    auto loop = page_of("{!page.md!}\n{!page.md!}\n{!other.md!}\n",
                        {{"guide/page.md", "{!page.md!}\nSelf.\n"}, {"guide/other.md", "{!page.md!}\nOther.\n"}});
    EXPECT_LT(all_text(loop.blocks).size(), 200u) << all_text(loop.blocks);
}

TEST(markdown_page, container_markers_inside_code_samples_do_not_close_the_container)
{
    auto page = page_of(":::tip\nShow this:\n\n```md\n:::note\nInner.\n:::\n```\n\nStill the tip.\n:::\n\nAfter.\n");
    ASSERT_EQ(page.blocks.size(), 2u);
    EXPECT_NE(all_text(page.blocks[0].children).find("Still the tip."), std::string::npos);
    EXPECT_EQ(md::text_of(page.blocks[1].text), "After.");
    auto inline_code = page_of("```ls``` lists files.\n\n!!! note\n    Still parsed.\n");
    ASSERT_EQ(inline_code.blocks.size(), 2u) << "a backtick in the info string is inline code, not a fence";
    EXPECT_EQ(inline_code.blocks[1].kind, block_kind::aside);
}

TEST(markdown_page, reference_links_resolve_across_containers)
{
    auto page =
        page_of("See [the guide][g].\n\n!!! note\n    Also [the guide][g].\n\n[g]: https://example.org/guide\n");
    ASSERT_EQ(page.blocks.size(), 2u);
    EXPECT_EQ(page.blocks[0].text[1].href, "https://example.org/guide");
    EXPECT_EQ(page.blocks[1].children[0].text[1].href, "https://example.org/guide");
}

TEST(markdown, attribute_entities_are_decoded)
{
    auto blocks = md::parse("[q](https://x.org/?a=1&amp;b=2)\n\n```c&#43;&#43;\nx\n```\n");
    EXPECT_EQ(blocks[0].text[0].href, "https://x.org/?a=1&b=2");
    EXPECT_EQ(blocks[1].lang, "c++");
}

TEST(corpus, a_file_linking_outside_the_corpus_is_not_read)
{
    auto dir = std::filesystem::temp_directory_path() / ("chatkit-corpus-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "outside.txt") << "SECRET_KEY=leaked\n";
        std::filesystem::create_directories(dir / "docs");
        std::ofstream(dir / "docs" / "page.md") << "# Page\n\nVisible.\n";
    }
    std::filesystem::create_symlink(dir / "outside.txt", dir / "docs" / "leak.md");
    auto c = load_corpus(dir / "docs", {});
    EXPECT_EQ(c->pages().size(), 1u);
    for (const auto& s : c->sections())
        EXPECT_EQ(s.plain.find("leaked"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(markdown, unbalanced_events_from_md4c_do_not_break_the_tree)
{
    // md4c 0.4.8 ends an emphasis it never began on this input (found by
    // the fuzzer): the text after it still lands in its paragraph.
    auto blocks = md::parse("[r_: https://e.ps://e.-*i/x\n---1. su*}\n");
    ASSERT_FALSE(blocks.empty());
    std::string all;
    for (const auto& b : blocks)
        all += md::plain_text(std::vector<md::block>{b}, false);
    EXPECT_NE(all.find("su"), std::string::npos) << all;
}

TEST(markdown, code_annotations_of_site_renderers_are_removed)
{
    auto docusaurus = md::parse("```js\nconst a = 1;\n// highlight-next-line\nconst b = 2;\n// highlight-start\n"
                                "f();\n// highlight-end\n{/* highlight-next-line */}\n<X />\n```\n");
    ASSERT_EQ(docusaurus.size(), 1u);
    EXPECT_EQ(docusaurus[0].code, "const a = 1;\nconst b = 2;\nf();\n<X />\n");

    auto shiki = md::parse("```ts\nmsg: 'Added' // [!code ++]\nold() // [!code --]\nkeep() // a comment\n```\n");
    EXPECT_EQ(shiki[0].code, "msg: 'Added'\nold()\nkeep() // a comment\n");

    auto mdbook = md::parse("```rust\n# fn main() {\nlet x = 5;\n#[derive(Debug)]\nstruct S;\n# }\n```\n");
    EXPECT_EQ(mdbook[0].code, "let x = 5;\n#[derive(Debug)]\nstruct S;\n");

    auto shell = md::parse("```sh\n# a shell comment stays\nls\n```\n");
    EXPECT_EQ(shell[0].code, "# a shell comment stays\nls\n");
}

TEST(markdown_page, an_mdx_code_block_is_content_not_code)
{
    auto page = page_of("Before.\n\n```mdx-code-block\nUse the **CLI** to start.\n```\n\nAfter.\n");
    auto text = all_text(page.blocks);
    EXPECT_NE(text.find("Use the CLI to start."), std::string::npos) << text;
    for (const auto& b : page.blocks)
        EXPECT_NE(b.kind, block_kind::code);
}

TEST(markdown_page, hugo_and_mdbook_template_calls_never_reach_the_text)
{
    auto page = page_of("# Pods\n\n{{< note >}}\nA {{< glossary_tooltip text=\"Pod\" term_id=\"pod\" >}} runs on a "
                        "{{< glossary_tooltip\n  term_id=\"node\" >}}.\n{{< /note >}}\n\n"
                        "{{% code_sample file=\"pods/simple.yaml\" %}}\n\n{{#include ../listings/a.rs:here}}\n\n"
                        "Write {{</* note */>}} in a page.\n\n```go-html-template\n{{< note >}}\n```\n");
    auto text = all_text(page.blocks);
    EXPECT_NE(text.find("A Pod runs on a node."), std::string::npos) << text;
    EXPECT_EQ(text.find("code_sample"), std::string::npos) << text;
    EXPECT_NE(text.find("pods/simple.yaml"), std::string::npos) << "the sample's name, as the page shows it";
    EXPECT_EQ(text.find("{{#include"), std::string::npos) << text;
    EXPECT_NE(text.find("Write {{< note >}} in a page."), std::string::npos) << "an escaped call as the site shows it";
    EXPECT_NE(page.blocks.back().code.find("{{< note >}}"), std::string::npos) << "code is left as written";
}

TEST(markdown_page, jinja_includes_are_resolved_and_template_tags_dropped)
{
    auto page = page_of(
        "{%- from 'components/npx_tabs.macro.html' import npx_tabs %}\n\n"
        "Run it on two files:\n{{ npx_tabs ({\n    package: \"eslint\",\n    args: [\"a.js\", \"b.js\"]\n}) }}\n\n"
        "{% include-markdown \"includes/policy.md\" %}\n\n```yaml\n{% include \"../sample.yml\" %}\n```\n\n"
        "Write `{{ placeholder }}` in a message; {{#each people}} is Handlebars.\n",
        {{"guide/includes/policy.md", "Three minor versions are supported.\n"}, {"sample.yml", "entryPoints: {}\n"}});
    auto text = all_text(page.blocks);
    EXPECT_EQ(text.find("{%"), std::string::npos) << text;
    EXPECT_EQ(text.find("npx_tabs"), std::string::npos) << "a call over several lines goes whole: " << text;
    EXPECT_NE(text.find("Run it on two files:"), std::string::npos) << text;
    EXPECT_NE(text.find("Three minor versions are supported."), std::string::npos) << "include-markdown: " << text;
    EXPECT_NE(text.find("entryPoints: {}"), std::string::npos) << "include inside a fence is its code: " << text;
    EXPECT_NE(text.find("Write {{ placeholder }} in a message; {{#each people}} is Handlebars."), std::string::npos)
        << "code spans and block helpers stay: " << text;
}

TEST(markdown_page, an_admonition_with_classes_or_a_linked_title_is_an_aside)
{
    auto page = page_of("!!! info inline end \"Routing to [services](https://k8s.io/svc \"Service docs\")\"\n\n"
                        "    Use the nativelb annotation.\n\nAfter.\n");
    ASSERT_FALSE(page.blocks.empty());
    EXPECT_EQ(page.blocks[0].kind, block_kind::aside);
    EXPECT_EQ(all_text(page.blocks).find("!!!"), std::string::npos) << all_text(page.blocks);
}

TEST(markdown_page, a_hugo_call_with_one_line_per_argument_is_resolved)
{
    auto page = page_of("## Example\n\nBefore.\n{{< img\n  src=\"images/a.jpg\"\n  alt=\"Zion\"\n  filter=\"Dither\"\n"
                        "  filterArgs=\"\"\n  example=true\n>}}\n");
    auto text = all_text(page.blocks);
    EXPECT_EQ(text.find("{{<"), std::string::npos) << text;
    EXPECT_EQ(text.find("src="), std::string::npos) << text;
    EXPECT_NE(text.find("Before."), std::string::npos) << text;
}

TEST(markdown_page, attribute_lists_are_markup_outside_headings)
{
    auto page = page_of("## Buttons { #buttons }\n\n[Subscribe](#){ .md-button .md-button--primary } now.\n\n"
                        "Lorem (1) ipsum.\n{ .annotate }\n\n![Logo](logo.png){ width=\"300\" }\n\n&nbsp;\n"
                        "{: #feedback style=\"margin: 0; height: 0\" }\n\n"
                        "Write `{ .md-button }` after a link. Pass {name} or { key: 1 }.\n");
    ASSERT_FALSE(page.blocks.empty());
    EXPECT_EQ(page.blocks[0].id, "buttons") << "a heading's id is its anchor";
    auto text = all_text(page.blocks);
    EXPECT_NE(text.find("Subscribe now."), std::string::npos) << text;
    EXPECT_EQ(text.find(".annotate"), std::string::npos) << text;
    EXPECT_EQ(text.find("width="), std::string::npos) << text;
    EXPECT_EQ(text.find("#feedback"), std::string::npos) << text;
    EXPECT_NE(text.find("Write { .md-button } after a link. Pass {name} or { key: 1 }."), std::string::npos)
        << "code spans, placeholders and objects stay: " << text;
}

TEST(markdown_page, an_html_comment_after_a_reference_link_is_no_text)
{
    auto page = page_of("In the [Traits][traits]<!--\nignore --> section we met the orphan rule.\n\n"
                        "[traits]: ch10.html\n");
    auto text = all_text(page.blocks);
    EXPECT_EQ(text.find("<!--"), std::string::npos) << text;
    EXPECT_NE(text.find("In the Traits section we met the orphan rule."), std::string::npos) << text;
}

TEST(markdown_page, site_syntax_inside_code_or_left_open_is_text)
{
    auto inline_code = page_of("HTML comments open with `<!--`:\n\n```html\n<!-- note -->\n```\n\nAfter.\n");
    auto text = all_text(inline_code.blocks);
    EXPECT_NE(text.find("HTML comments open with <!--"), std::string::npos) << text;
    EXPECT_NE(text.find("After."), std::string::npos) << "the fence still closes: " << text;
    ASSERT_GE(inline_code.blocks.size(), 2u);
    EXPECT_EQ(inline_code.blocks[1].code, "<!-- note -->\n");

    auto spans = all_text(page_of("Use `{{<` to open and `>}}` to close; {{#each people}} is Handlebars.\n").blocks);
    EXPECT_NE(spans.find("Use {{< to open and >}} to close; {{#each people}} is Handlebars."), std::string::npos)
        << spans;
    auto quoted = all_text(page_of("A {{< glossary_tooltip text=\"a > b\" term_id=\"x\" >}} test.\n").blocks);
    EXPECT_NE(quoted.find("A a > b test."), std::string::npos) << quoted;

    std::string huge = "{{< " + std::string(200000, 'a') + "\n\nnext paragraph\n";
    auto long_line = all_text(page_of(huge).blocks);
    EXPECT_NE(long_line.find("next paragraph"), std::string::npos) << "a call never closed takes nothing along";
    std::string long_code = "```rust\n" + std::string(100000, ' ') + "x // [!code ++]\n```\n";
    EXPECT_EQ(md::parse(long_code).size(), 1u) << "a long code line is left as it is, not a crash";
}

// A shared conversation's page (API.md "Shared conversations") renders
// stored answers: whatever a model wrote, nothing in it runs or leads
// anywhere unsafe.
TEST(answer_html, an_answer_renders_as_escaped_html_with_safe_links_only)
{
    auto html = answer_html("# Setup\n\nUse `<b>` & <script>alert(1)</script> **now** [1].\n\n"
                            "![x](https://evil.example/x.png) [docs](https://docs.example.com/a?b=1&c=\"2\") "
                            "[run](javascript:alert(1)) [page](/docs/guide) [host](//evil.example) "
                            "[slash](/\\evil.example) [rel](guide.md)\n",
                            false);
    EXPECT_NE(html.find("<h4>Setup</h4>"), std::string::npos) << "below the page's own headings, no anchor: " << html;
    EXPECT_NE(html.find("<code>&lt;b&gt;</code> &amp; "), std::string::npos) << html;
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_EQ(html.find("<img"), std::string::npos) << html;
    EXPECT_NE(html.find("<strong>now</strong> [1]."), std::string::npos) << "citations stay text: " << html;
    EXPECT_NE(
        html.find("<a href=\"https://docs.example.com/a?b=1&amp;c=&quot;2&quot;\" rel=\"noopener noreferrer nofollow\">"
                  "docs</a>"),
        std::string::npos)
        << html;
    for (const char* dropped : {"javascript:", "href=\"/docs/guide\"", "//evil.example", "guide.md\""})
        EXPECT_EQ(html.find(dropped), std::string::npos) << dropped << " in " << html;
    EXPECT_NE(html.find("run"), std::string::npos) << "a dropped link keeps its text";

    auto local = answer_html("[page](/docs/guide#x) [host](//evil.example) [slash](/\\evil.example)", true);
    EXPECT_NE(local.find("<a href=\"/docs/guide#x\" rel=\"noopener noreferrer nofollow\">page</a>"), std::string::npos)
        << local;
    EXPECT_EQ(local.find("evil.example\""), std::string::npos) << "never another host: " << local;
}

// Browsers drop tabs and line breaks inside a URL and controls and spaces
// around it: "/<TAB>/evil.example" is "//evil.example", another host.
TEST(answer_html, a_link_holding_a_control_character_or_a_space_is_refused)
{
    for (const char* md : {"[f](</\t/evil.example>)", "[g](/&#9;/evil.example)", "[h](/&#10;/evil.example)",
                           "[i](/&#13;/evil.example)", "[j](< //evil.example>)", "[k](/\x0b/evil.example)",
                           "[l](/&#127;/evil.example)", "[m](<https://ok.example/a b>)"}) {
        auto html = answer_html(md, true);
        EXPECT_EQ(html.find("<a"), std::string::npos) << md << " gave " << html;
        EXPECT_EQ(html.find("href"), std::string::npos) << md << " gave " << html;
    }
    for (const char* href : {"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", " //evil.example",
                             "/\x01/evil.example", "/\x7f/evil.example", "https://ok.example/\t", "/docs/a b"})
        EXPECT_EQ(answer_link(href, true), "") << href;
    EXPECT_EQ(answer_link("/docs/guide#x", true), "/docs/guide#x");
    EXPECT_EQ(answer_link("/docs/guide", false), "") << "no local pages to lead to";
    EXPECT_EQ(answer_link("https://docs.example.com/a", false), "https://docs.example.com/a");
    for (const char* href : {"//evil.example", "/\\evil.example", "javascript:alert(1)", "guide.md", "#top", ""})
        EXPECT_EQ(answer_link(href, true), "") << href;
}
