#include "chatkit/chat/corpus.hpp"
#include "chatkit/chat/markdown.hpp"
#include "chatkit/chat/markdown_out.hpp"
#include "chatkit/chat/markdown_page.hpp"

#include <gtest/gtest.h>

#include <map>

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
