// GET /chat/history (API.md "Chat") over real sockets: the caller's current
// conversation comes back with sources and how each answer ended; an answer
// still being produced comes back as `streaming` and resumes; nobody reads
// another's; saved chats keep their sources.
#include "support/api.hpp"
#include "support/chat_fixture.hpp"
#include "support/eventually.hpp"
#include "support/sse.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* first_conversation = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
constexpr const char* second_conversation = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";

std::string ask_in(const char* question, const char* conversation)
{
    return ask(question, {{"mode", "browse"}, {"session_id", conversation}});
}

boost::json::array history_of(std::uint16_t port, const std::string& token, std::string* conversation = nullptr)
{
    auto r = call(port, "GET", "/api/v1/chat/history", {}, token);
    EXPECT_EQ(r.status(), 200u) << r.raw.body;
    if (conversation)
        *conversation = r.json.at("conversation_id").is_string() ? std::string(r.json.at("conversation_id").as_string())
                                                                 : std::string();
    return r.json.at("messages").as_array();
}

// The history once it holds `count` messages (answers reach the database in
// batches).
boost::json::array history_with(std::uint16_t port, const std::string& token, std::size_t count,
                                std::string* conversation = nullptr)
{
    boost::json::array messages;
    eventually(
        [&] {
            messages = history_of(port, token, conversation);
            return messages.size() == count;
        },
        10s);
    return messages;
}

} // namespace

TEST_F(chat_api, history_brings_back_the_current_conversation_with_sources)
{
    start();
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/history").status(), 401u) << "no token, nothing stored";
    auto token = anon();
    std::string conversation = "unset";
    EXPECT_TRUE(history_of(port_, token, &conversation).empty()) << "an empty conversation is [], never 404";
    EXPECT_EQ(conversation, "");

    auto first = call(port_, "POST", "/api/v1/chat", ask_in("What is embodied AI?", first_conversation), token);
    ASSERT_EQ(first.status(), 200u) << first.raw.body;
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask_in("How do teapots crack?", first_conversation), token).status(),
              200u);
    auto messages = history_with(port_, token, 4, &conversation);
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_EQ(conversation, first_conversation);
    EXPECT_EQ(messages[0].at("role"), "user");
    EXPECT_EQ(messages[0].at("content"), "What is embodied AI?");
    EXPECT_EQ(messages[1].at("role"), "assistant");
    EXPECT_EQ(messages[1].at("message_id"), boost::json::value(first.str("message_id")))
        << "the id POST /chat gave the answer";
    EXPECT_EQ(messages[1].at("content"), boost::json::value(first.str("answer")));
    EXPECT_EQ(messages[1].at("status"), "complete");
    EXPECT_EQ(messages[1].at("sources"), first.json.at("sources")) << "sources come back as they were sent";
    EXPECT_FALSE(messages[1].at("sources").as_array().empty());
    EXPECT_TRUE(messages[0].at("sources").as_array().empty());
    EXPECT_EQ(messages[3].at("role"), "assistant");
    EXPECT_EQ(messages[2].at("content"), "How do teapots crack?");
    EXPECT_EQ(messages[0].at("created_at").as_string().back(), 'Z');

    // A new conversation becomes the current one.
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask_in("What do sensors do?", second_conversation), token).status(),
              200u);
    eventually([&] { return history_of(port_, token, &conversation).size() == 2; }, 10s);
    EXPECT_EQ(conversation, second_conversation);

    EXPECT_TRUE(history_of(port_, anon()).empty()) << "another visitor reads nothing of it";
}

TEST_F(chat_api, history_keeps_the_last_fifty_messages_and_follows_a_refreshed_token)
{
    start();
    auto token = anon();
    for (int i = 0; i < 26; ++i)
        ASSERT_EQ(call(port_, "POST", "/api/v1/chat",
                       ask_in(("What is embodied AI, question " + std::to_string(i) + "?").c_str(), first_conversation),
                       token)
                      .status(),
                  200u);
    auto messages = history_with(port_, token, 50);
    ASSERT_EQ(messages.size(), 50u);
    EXPECT_EQ(messages[0].at("content"), "What is embodied AI, question 1?") << "the oldest turn dropped off";
    EXPECT_EQ(messages[48].at("content"), "What is embodied AI, question 25?");

    auto fresh = call(port_, "POST", "/api/v1/auth/refresh-token", {}, token).str("token");
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask_in("How do teapots crack?", first_conversation), fresh).status(),
              200u);
    eventually(
        [&] {
            messages = history_of(port_, fresh);
            return messages.size() == 50 && messages[48].at("content") == "How do teapots crack?";
        },
        10s);
    EXPECT_EQ(messages[48].at("content"), "How do teapots crack?") << "one conversation across the refresh";
}

TEST_F(chat_api, an_answer_still_being_produced_comes_back_streaming_and_resumes)
{
    start({{"BUILTIN_TOKEN_DELAY", "100ms"}});
    auto token = anon();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask_in("What is embodied AI?", first_conversation),
                          bearer(token));
    sse_reader reader(*s.conn);
    auto first = reader.next();
    ASSERT_TRUE(first);
    auto id = first->id.substr(0, first->id.find(':'));
    auto messages = history_with(port_, token, 2);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].at("content"), "What is embodied AI?") << "the question is there before its answer ends";
    EXPECT_EQ(messages[1].at("message_id"), boost::json::value(id));
    EXPECT_EQ(messages[1].at("status"), "streaming");

    // The reloaded page resumes it from the start.
    auto resumed = start_stream(port_, "GET", "/api/v1/chat/stream/" + id, {}, bearer(token));
    ASSERT_EQ(resumed.head.status, 200u);
    sse_reader again(*resumed.conn);
    auto whole = read_all(again, 10'000);
    ASSERT_TRUE(whole.ended);
    EXPECT_EQ(whole.events.front().event, "sources");
    EXPECT_EQ(whole.events.back().event, "done");

    eventually(
        [&] {
            messages = history_of(port_, token);
            return messages.size() == 2 && messages[1].at("status") == "complete";
        },
        10s);
    EXPECT_EQ(messages[1].at("status"), "complete");
    EXPECT_EQ(messages[1].at("content"), boost::json::value(whole.text)) << "the stored answer is the streamed one";
}

TEST_F(chat_api, a_stopped_answer_is_kept_as_cancelled)
{
    start({{"BUILTIN_TOKEN_DELAY", "100ms"}});
    auto token = anon();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask_in("What is embodied AI?", first_conversation),
                          bearer(token));
    sse_reader reader(*s.conn);
    std::string id;
    while (auto e = reader.next()) {
        id = e->id.substr(0, e->id.find(':'));
        if (e->event == "token")
            break;
    }
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat/" + id + "/cancel", {}, token).status(), 204u);
    ASSERT_TRUE(final_event(reader, 5s));
    boost::json::array messages;
    eventually(
        [&] {
            messages = history_of(port_, token);
            return messages.size() == 2 && messages[1].at("status") != "streaming";
        },
        10s);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[1].at("status"), "cancelled");
    EXPECT_FALSE(messages[1].at("content").as_string().empty()) << "what was said before Stop is kept";
}

TEST_F(chat_api, a_signed_up_reader_keeps_the_conversation_and_saved_chats_keep_sources)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    start();
    auto token = anon();
    auto answer = call(port_, "POST", "/api/v1/chat", ask_in("What is embodied AI?", first_conversation), token);
    ASSERT_EQ(answer.status(), 200u);
    history_with(port_, token, 2);
    auto account = user();
    ASSERT_EQ(call(port_, "POST", "/api/v1/auth/migrate-session",
                   boost::json::serialize(boost::json::object{{"anon_token", token}}), account)
                  .status(),
              200u);
    std::string conversation;
    auto messages = history_of(port_, account, &conversation);
    ASSERT_EQ(messages.size(), 2u) << "the account's current conversation is the one it signed up from";
    EXPECT_EQ(conversation, first_conversation);
    ASSERT_EQ(
        call(port_, "POST", "/api/v1/chat", ask_in("How do teapots crack?", first_conversation), account).status(),
        200u);
    history_with(port_, account, 4);

    auto chats = call(port_, "GET", "/api/v1/chat/saved", {}, account);
    auto chat_id = std::string(chats.json.at("chats").at(0).at("chat_id").as_string());
    auto migrated = call(port_, "GET", "/api/v1/chat/saved/" + chat_id, {}, account);
    EXPECT_EQ(migrated.json.at("messages").at(1).at("sources"), answer.json.at("sources"));

    auto with_sources = boost::json::serialize(boost::json::object{
        {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", "Deploy?"}},
                                        boost::json::object{{"role", "assistant"},
                                                            {"content", "Behind a proxy [1]."},
                                                            {"sources", boost::json::array{boost::json::object{
                                                                            {"title", "Deploying"},
                                                                            {"url", "/docs/deploy#proxy"},
                                                                            {"score", 0.5},
                                                                            {"secret", "dropped"}}}}}}}});
    auto saved = call(port_, "POST", "/api/v1/chat/save", with_sources, account);
    ASSERT_EQ(saved.status(), 200u) << saved.raw.body;
    auto read = call(port_, "GET", "/api/v1/chat/saved/" + saved.str("chat_id"), {}, account);
    EXPECT_EQ(boost::json::serialize(read.json.at("messages").at(1).at("sources")),
              R"([{"title":"Deploying","url":"/docs/deploy#proxy"}])")
        << "only the fields a source has are kept";
    EXPECT_TRUE(read.json.at("messages").at(0).at("sources").as_array().empty());

    auto untitled = boost::json::serialize(boost::json::object{
        {"messages", boost::json::array{boost::json::object{
                         {"role", "assistant"},
                         {"content", "x"},
                         {"sources", boost::json::array{boost::json::object{{"url", "/docs/a"}}}}}}}});
    auto refused = call(port_, "POST", "/api/v1/chat/save", untitled, account);
    EXPECT_EQ(refused.status(), 400u);
    EXPECT_EQ(refused.json.at("error").at("details").at("field"), "messages[0].sources.title");
}
