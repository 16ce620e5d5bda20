#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/corpus/site_rules.hpp"

#include <gtest/gtest.h>

using namespace chatkit::chat;

TEST(site_rules, plain_keeps_the_file_path)
{
    EXPECT_EQ(page_path(site_kind::plain, "guide/setup.md", {}), "guide/setup.md");
    EXPECT_EQ(page_path(site_kind::plain, "README.md", {}), "README.md");
}

TEST(site_rules, mkdocs_uses_directory_urls)
{
    EXPECT_EQ(page_path(site_kind::mkdocs, "guide/setup.md", {}), "guide/setup/");
    EXPECT_EQ(page_path(site_kind::mkdocs, "guide/index.md", {}), "guide/");
    EXPECT_EQ(page_path(site_kind::mkdocs, "guide/README.md", {}), "guide/");
    EXPECT_EQ(page_path(site_kind::mkdocs, "index.md", {}), "");
}

TEST(site_rules, docusaurus_follows_ids_slugs_and_number_prefixes)
{
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/setup.md", {}), "guide/setup");
    EXPECT_EQ(page_path(site_kind::docusaurus, "01-guide/02-setup.mdx", {}), "guide/setup");
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/index.md", {}), "guide");
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/guide.md", {}), "guide");
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/setup.md", {"", "", "install"}), "guide/install");
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/setup.md", {"", "/start/here", ""}), "start/here");
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/setup.md", {"", "quick", ""}), "guide/quick");
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/setup.md", {"", "../top", ""}), "top");
    EXPECT_EQ(page_path(site_kind::docusaurus, "2021-01-31-notes.md", {}), "2021-01-31-notes") << "a date";
    EXPECT_EQ(page_path(site_kind::docusaurus, "v/7.0-x.md", {}), "v/7.0-x") << "a version";
    EXPECT_EQ(page_path(site_kind::docusaurus, "guide/index.md", {"", "", "start"}), "guide") << "index by file name";
    EXPECT_EQ(page_path(site_kind::docusaurus, "Guide/guide.md", {}), "Guide");
}

TEST(site_rules, github_slugs_as_github_and_docusaurus_make_them)
{
    anchor_slugger s(site_kind::plain);
    EXPECT_EQ(s.next("Hello, World!", ""), "hello-world");
    EXPECT_EQ(s.next("fs.readFile(path[, options], callback)", ""), "fsreadfilepath-options-callback");
    EXPECT_EQ(s.next("Hello World", ""), "hello-world-1");
    EXPECT_EQ(s.next("Hello World", ""), "hello-world-2");
    EXPECT_EQ(s.next("  two  spaces", ""), "--two--spaces") << "github-slugger does not collapse spaces";
    EXPECT_EQ(s.next("Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC", ""), "caf\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC");
    EXPECT_EQ(s.next("Anything", "custom-id"), "custom-id");
    EXPECT_EQ(s.next("Custom id", ""), "custom-id-1") << "an explicit id takes its slug";
    EXPECT_EQ(s.next("What\xE2\x80\x99s new \xF0\x9F\x8E\x89", ""), "whats-new-") << "curly quote and emoji go";
    EXPECT_EQ(s.next("\xC3\x9C"
                     "ber uns",
                     ""),
              "\xC3\xBC"
              "ber-uns")
        << "lower case beyond ASCII";
    anchor_slugger d(site_kind::docusaurus);
    EXPECT_EQ(d.next("Snake_case and --flags", ""), "snake_case-and---flags");
}

TEST(site_rules, python_markdown_slugs_as_mkdocs_makes_them)
{
    anchor_slugger s(site_kind::mkdocs);
    EXPECT_EQ(s.next("Hello, World!", ""), "hello-world");
    EXPECT_EQ(s.next("Hello -- World", ""), "hello-world_1");
    EXPECT_EQ(s.next("Caf\xC3\xA9 cr\xC3\xA8me", ""), "cafe-creme");
    EXPECT_EQ(s.next("fs.readFile()", ""), "fsreadfile");
    EXPECT_EQ(s.next("Snake_case", ""), "snake_case");
    EXPECT_EQ(s.next("\xE6\x97\xA5\xE6\x9C\xAC", ""), "_1") << "nothing ASCII left";
    EXPECT_EQ(s.next("Hello World", ""), "hello-world_2");
    EXPECT_EQ(s.next("Za\xC5\xBC\xC3\xB3\xC5\x82\xC4\x87", ""), "zazoc") << "Latin Extended-A folds too";
    EXPECT_EQ(s.next("x_12345678901", ""), "x_12345678901");
    EXPECT_EQ(s.next("x_12345678901", ""), "x_12345678901_1") << "a huge counter is not a counter";
}

TEST(site_rules, python_markdown_reserves_explicit_ids_first)
{
    corpus c;
    c.add("p.md", "# Setup\n\nA.\n\n## Other { #setup }\n\nB.\n", {"/", site_kind::mkdocs});
    ASSERT_EQ(c.sections().size(), 2u);
    EXPECT_EQ(c.sections()[0].url, "/p/#setup_1");
    EXPECT_EQ(c.sections()[1].url, "/p/#setup");
}

TEST(site_rules, urls_are_percent_encoded_paths)
{
    EXPECT_EQ(url_path_encode("C# tips/caf\xC3\xA9 100%.md"), "C%23%20tips/caf%C3%A9%20100%25.md");
    corpus c;
    c.add("C# tips.md", "# Tips\n\nText.\n", {"/docs/", site_kind::plain});
    EXPECT_EQ(c.sections()[0].url, "/docs/C%23%20tips.md#tips");
    EXPECT_NE(c.find_page("/docs/C%23%20tips.md"), nullptr);
}

TEST(site_rules, site_names_parse)
{
    EXPECT_EQ(parse_site_kind("mkdocs"), site_kind::mkdocs);
    EXPECT_EQ(parse_site_kind("docusaurus"), site_kind::docusaurus);
    EXPECT_EQ(parse_site_kind("plain"), site_kind::plain);
    EXPECT_FALSE(parse_site_kind("hugo"));
}
