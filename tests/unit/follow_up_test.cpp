#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/follow_up.hpp"
#include "chatkit/chat/search/retriever.hpp"

#include <gtest/gtest.h>

using namespace chatkit::chat;

namespace {

const char* backups_md = R"(# Backups

## SQLite

Copy the database file with the sqlite3 .backup command while the server runs.

## PostgreSQL

Run pg_dump against the database; restore with pg_restore.

## Translating the widget

Set the locale property to German strings.
)";

const char* database_md = R"(# Database

## Connecting to PostgreSQL

Set DATABASE_URL to a postgresql:// address to use PostgreSQL instead of SQLite.
)";

} // namespace

TEST(follow_up, a_question_that_refers_back_is_recognised)
{
    for (const char* q : {"and on PostgreSQL?", "why?", "How do I test that?", "What about for a list instead?",
                          "in German?", "Can I restore it later?"})
        EXPECT_TRUE(refers_back(q)) << q;
    for (const char* q :
         {"How do I back up the database with pg_dump?", "What does the locale property do?",
          "Is there a way to run tests in parallel?", "How do I check that a port is free?",
          "Why does npm install fail with EACCES?", "Which one is faster, spawn or exec?", "Configure TLS certificates",
          "\xE5\xA6\x82\xE4\xBD\x95\xE9\x85\x8D\xE7\xBD\xAE\xE6\x95\xB0\xE6\x8D\xAE\xE5\xBA\x93"})
        EXPECT_FALSE(refers_back(q)) << q;
}

TEST(follow_up, only_a_question_that_refers_back_takes_the_earlier_words)
{
    EXPECT_EQ(follow_up_context("and on PostgreSQL?", "How do I back up the database?"),
              "How do I back up the database?");
    EXPECT_EQ(follow_up_context("How do I translate the widget to German?", "How do I back up the database?"), "");
}

TEST(follow_up, the_built_in_search_answers_a_follow_up_from_its_topic)
{
    auto c = std::make_shared<corpus>();
    c->add("backups.md", backups_md, {});
    c->add("database.md", database_md, {});
    retriever r(c);
    auto alone = find_sources(r, "and on PostgreSQL?", {}, 5);
    auto in_context = find_sources(r, "and on PostgreSQL?", {}, 5, "How do I make a backup of the database?");
    ASSERT_FALSE(in_context.empty());
    EXPECT_EQ(in_context.front().doc->source->path, "backups.md");
    EXPECT_EQ(in_context.front().doc->title, "PostgreSQL");
    // The backup section's lead over the other page's is what the
    // conversation adds; which one leads alone is the ranking's call.
    auto score_of = [](const std::vector<hit>& found, std::string_view path, std::string_view title) {
        for (const auto& h : found)
            if (h.doc->source->path == path && h.doc->title == title)
                return h.score;
        return 0.0;
    };
    auto lead = [&](const std::vector<hit>& found) {
        return score_of(found, "backups.md", "PostgreSQL") - score_of(found, "database.md", "Connecting to PostgreSQL");
    };
    ASSERT_FALSE(alone.empty());
    EXPECT_GT(lead(in_context), lead(alone)) << "the conversation's topic counts";
}

TEST(follow_up, the_earlier_question_vouches_for_a_follow_up_in_everyday_words)
{
    auto c = std::make_shared<corpus>();
    c->add("backups.md", backups_md, {});
    c->add("database.md", database_md, {});
    retriever r(c);
    const char* follow_up = "and to restore it on my laptop?";
    EXPECT_TRUE(find_sources(r, follow_up, {}, 5).empty()) << "alone, its words are not the docs'";
    auto found = find_sources(r, follow_up, {}, 5, "How do I back up PostgreSQL with pg_dump?");
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found.front().doc->title, "PostgreSQL");
}

TEST(follow_up, why_about_a_selected_passage_is_answered_from_the_passage)
{
    auto c = std::make_shared<corpus>();
    c->add("backups.md", backups_md, {});
    c->add("database.md", database_md, {});
    retriever r(c);
    const char* passage = "Run pg_dump against the database; restore with pg_restore.";
    EXPECT_TRUE(find_sources(r, "Why?", {}, 5).empty()) << "alone, it asks about nothing";
    auto found = find_sources(r, "Why?", passage, 5);
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found.front().doc->title, "PostgreSQL");
    EXPECT_TRUE(find_sources(r, "How do I cook pasta?", passage, 5).empty()) << "another topic stays refused";
}
