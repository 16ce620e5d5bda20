// API.md "Chat" and "User" over real sockets: answers, streams, resume,
// cancel, history, saved chats, personalization (resume and cancel across
// instances: cluster_test.cpp).
#include "support/api.hpp"
#include "support/chat_fixture.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>
#include <unistd.h>

using namespace chatkit::test;
using namespace std::chrono_literals;

TEST_F(chat_api, answer_cites_ranked_sources_with_metadata)
{
    start();
    auto r = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?", {{"mode", "browse"}}));
    ASSERT_EQ(r.status(), 200u) << r.raw.body;
    EXPECT_NE(r.str("answer").find("Embodied AI studies agents"), std::string::npos) << r.raw.body;
    EXPECT_NE(r.str("answer").find("[1]"), std::string::npos);
    auto& sources = r.json.at("sources").as_array();
    ASSERT_FALSE(sources.empty());
    EXPECT_LE(sources.size(), 5u);
    EXPECT_EQ(sources[0].at("id"), "embodied#embodied-ai");
    EXPECT_EQ(sources[0].at("url"), "/docs/embodied.md#embodied-ai");
    double previous = 1.0;
    for (auto& s : sources) {
        auto score = s.at("score").to_number<double>();
        EXPECT_GE(score, 0.0);
        EXPECT_LE(score, previous);
        previous = score;
        EXPECT_LE(s.at("excerpt").as_string().size(), 200u);
    }
    auto& meta = r.json.at("metadata").as_object();
    for (const char* key : {"model", "tokens_used", "retrieval_time_ms", "generation_time_ms", "total_time_ms"})
        EXPECT_TRUE(meta.contains(key)) << key;
    EXPECT_GT(meta.at("tokens_used").as_int64(), 0);
    EXPECT_FALSE(r.str("message_id").empty());
}

TEST_F(chat_api, says_plainly_when_the_documentation_has_nothing)
{
    start();
    auto r = call(port_, "POST", "/api/v1/chat", ask("zebra quantum bicycle?"));
    ASSERT_EQ(r.status(), 200u);
    EXPECT_NE(r.str("answer").find("could not find"), std::string::npos);
}

TEST_F(chat_api, questions_about_other_things_are_refused_with_no_sources)
{
    start();
    for (const char* q : {"What is the best recipe for banana bread?", "How does routing work in Django's urls.py?"}) {
        auto r = call(port_, "POST", "/api/v1/chat", ask(q));
        ASSERT_EQ(r.status(), 200u) << r.raw.body;
        EXPECT_NE(r.str("answer").find("could not find"), std::string::npos) << q << ": " << r.str("answer");
        EXPECT_TRUE(r.json.at("sources").as_array().empty()) << q;
    }
}

TEST_F(chat_api, every_citation_opens_its_page_at_its_heading)
{
    start();
    for (const char* q : {"What is embodied AI?", "At what temperature does green tea brew?", "How do I deploy it?",
                          "How do teapots crack?"}) {
        auto r = call(port_, "POST", "/api/v1/chat", ask(q));
        ASSERT_EQ(r.status(), 200u);
        ASSERT_FALSE(r.json.at("sources").as_array().empty()) << q;
        for (auto& s : r.json.at("sources").as_array()) {
            std::string url(s.at("url").as_string());
            auto hash = url.find('#');
            auto page = request(port_, "GET", url.substr(0, hash));
            ASSERT_EQ(page.status, 200u) << url;
            EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
            EXPECT_NE(page.header("content-security-policy").find("script-src 'self'"), std::string::npos);
            if (hash != std::string::npos) {
                EXPECT_NE(page.body.find("id=\"" + url.substr(hash + 1) + "\""), std::string::npos)
                    << url << " has no such heading";
            }
        }
    }
    auto brewing = request(port_, "GET", "/docs/guide/dialects.md");
    EXPECT_NE(brewing.body.find("<h2 id=\"brewing\">"), std::string::npos) << "explicit ids are kept";
    EXPECT_NE(brewing.body.find("<aside class=\"note\"><p class=\"label\">Hot water</p>"), std::string::npos);
    EXPECT_NE(brewing.body.find("def brew(tea, minutes=3)"), std::string::npos) << "the include was resolved";
    auto hostile = request(port_, "GET", "/docs/hostile.md");
    EXPECT_EQ(hostile.body.find("<script>alert"), std::string::npos) << "no raw HTML from the corpus";
    EXPECT_EQ(hostile.body.find("<img"), std::string::npos);
    EXPECT_NE(hostile.body.find("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(request(port_, "GET", "/docs/").status, 200u);
    EXPECT_EQ(request(port_, "GET", "/docs/nothing-here.md").status, 404u);
    EXPECT_EQ(request(port_, "GET", "/docs/../../etc/passwd").status, 404u);
}

TEST_F(chat_api, no_answer_over_the_test_corpus_leaks_markup)
{
    start();
    std::regex leak(R"((\{\*|\*\}|\{!|!!!|\?\?\?|///|:::|===|hl_lines|\{ ?#|<[a-zA-Z/!]|^---))");
    for (const char* q : {"How do I care for a teapot?", "Why do teapots crack?", "How do I descale a kettle?",
                          "How should teapots be stored?", "How do I brew tea in Python?", "Tell me about quokkas",
                          "What temperature for black tea?", "Do cast iron teapots rust?"}) {
        auto r = call(port_, "POST", "/api/v1/chat", ask(q));
        ASSERT_EQ(r.status(), 200u);
        auto answer = r.str("answer");
        // Code may show markup; the prose around it may not.
        auto prose =
            std::regex_replace(std::regex_replace(answer, std::regex("```[^`]*```"), ""), std::regex("`[^`]*`"), "");
        EXPECT_FALSE(std::regex_search(prose, leak)) << q << ":\n" << answer;
    }
}

TEST_F(chat_api, a_whole_answer_is_not_paced_but_a_stream_is)
{
    start({{"BUILTIN_TOKEN_DELAY", "1s"}});
    auto r = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"));
    ASSERT_EQ(r.status(), 200u);
    EXPECT_LT(r.json.at("metadata").at("total_time_ms").to_number<double>(), 1000.0) << r.raw.body;
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
    sse_reader reader(*s.conn);
    auto streamed = read_all(reader, 100000);
    ASSERT_FALSE(streamed.events.empty());
    EXPECT_GE(streamed.events.back().data.at("metadata").at("generation_time_ms").to_number<double>(), 1000.0)
        << "a stream reads like one";
}

TEST_F(chat_api, every_validation_code)
{
    start();
    auto code = [&](const std::string& body) {
        return call(port_, "POST", "/api/v1/chat", body);
    };
    auto empty = code(ask("   "));
    EXPECT_EQ(empty.error_code(), "INVALID_REQUEST");
    EXPECT_EQ(empty.json.at("error").at("details").at("field"), "message");
    EXPECT_EQ(code(ask(std::string(2001, 'a'))).error_code(), "MESSAGE_TOO_LONG");
    std::string accents;
    for (int i = 0; i < 2000; ++i)
        accents += "\xC3\xA9";
    EXPECT_EQ(code(ask(accents)).status(), 200u) << "2000 characters, 4000 bytes";
    auto mode = code(ask("hi", {{"mode", "sing"}}));
    EXPECT_EQ(mode.json.at("error").at("details").at("field"), "context.mode");
    EXPECT_EQ(code(ask("hi", {{"selected_text", std::string(5001, 'x')}})).error_code(), "SELECTED_TEXT_TOO_LONG");
    EXPECT_EQ(code(ask("hi", {{"session_id", "not-a-uuid"}})).error_code(), "INVALID_SESSION_ID");
    EXPECT_EQ(code(ask("hi", {{"session_id", "550e8400-e29b-41d4-a716-446655440000"}})).status(), 200u);
    EXPECT_EQ(code(R"({"message": 5})").json.at("error").at("details").at("field"), "message");
    EXPECT_EQ(code(R"({"message": "hi", "context": "x"})").json.at("error").at("details").at("field"), "context");
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat", ask("hi"), std::string(43, 'z')).error_code(), "SESSION_EXPIRED");
    // Nothing a reader can see is an empty message; NUL cannot be stored.
    for (const char* invisible : {"\xE3\x80\x80\xE3\x80\x80", "\xE2\x80\x8B\xE2\x80\x8D\xEF\xBB\xBF", "\xC2\xA0 \t"}) {
        auto r = code(ask(invisible));
        EXPECT_EQ(r.error_code(), "INVALID_REQUEST") << r.raw.body;
        EXPECT_EQ(r.json.at("error").at("details").at("field"), "message");
    }
    auto nul = code(R"({"message": "before\u0000after"})");
    EXPECT_EQ(nul.error_code(), "INVALID_REQUEST");
    EXPECT_EQ(nul.json.at("error").at("details").at("field"), "message");
    auto nul_selection = code(R"({"message": "hi", "context": {"selected_text": "a\u0000b"}})");
    EXPECT_EQ(nul_selection.json.at("error").at("details").at("field"), "context.selected_text");
    EXPECT_EQ(code(ask("\xE3\x80\x80what is embodied AI?\xE2\x80\x8B")).status(), 200u) << "trimmed, then answered";
}

TEST_F(chat_api, stream_sends_sources_tokens_done_with_ids)
{
    start();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("How do I run several instances?"),
                          {{"Accept-Encoding", "gzip"}, {"Origin", "http://localhost:8000"}});
    EXPECT_EQ(s.head.status, 200u);
    EXPECT_EQ(s.head.header("content-type"), "text/event-stream");
    EXPECT_EQ(s.head.header("cache-control"), "no-cache");
    EXPECT_EQ(s.head.header("x-accel-buffering"), "no");
    EXPECT_FALSE(s.head.has("content-encoding"));
    EXPECT_EQ(s.head.header("access-control-allow-origin"), "http://localhost:8000");
    sse_reader reader(*s.conn);
    auto all = read_all(reader);
    ASSERT_GE(all.events.size(), 3u);
    EXPECT_EQ(all.events.front().event, "sources");
    EXPECT_EQ(all.events.back().event, "done");
    auto message_id = std::string(all.events.back().data.at("message_id").as_string());
    for (std::size_t i = 0; i < all.events.size(); ++i) {
        EXPECT_EQ(all.events[i].id, message_id + ":" + std::to_string(i));
        if (i > 0 && i + 1 < all.events.size()) {
            EXPECT_EQ(all.events[i].event, "token");
        }
    }
    EXPECT_NE(all.text.find("Several instances can share one PostgreSQL database. [1]"), std::string::npos) << all.text;
    EXPECT_FALSE(all.events.back().data.as_object().contains("cancelled"));
}

TEST_F(chat_api, resume_after_a_dropped_connection_loses_and_doubles_nothing)
{
    start({{"BUILTIN_TOKEN_DELAY", "30ms"}});
    auto full = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?")).str("answer");
    auto seen = read_then_drop(port_, "What is embodied AI?", 6);
    auto last_id = seen.last_id, text = seen.text, message_id = seen.message_id();
    auto resumed = start_stream(port_, "GET", "/api/v1/chat/stream/" + message_id, {}, {{"Last-Event-ID", last_id}});
    ASSERT_EQ(resumed.head.status, 200u);
    sse_reader reader(*resumed.conn);
    auto rest = read_all(reader);
    ASSERT_FALSE(rest.events.empty());
    auto first_seq = std::stoi(rest.events.front().id.substr(rest.events.front().id.find(':') + 1));
    EXPECT_EQ(first_seq, std::stoi(last_id.substr(last_id.find(':') + 1)) + 1);
    EXPECT_EQ(rest.events.back().event, "done");
    EXPECT_FALSE(rest.events.back().data.as_object().contains("cancelled")) << "a disconnect does not cancel";
    EXPECT_EQ(text + rest.text, full);

    // A finished stream replays from the start and ends.
    auto replay = start_stream(port_, "GET", "/api/v1/chat/stream/" + message_id, {}, {});
    sse_reader replay_reader(*replay.conn);
    auto again = read_all(replay_reader);
    EXPECT_EQ(again.events.front().event, "sources");
    EXPECT_EQ(again.text, full);
    EXPECT_TRUE(again.ended);
}

TEST_F(chat_api, foreign_forged_and_malformed_resumes_are_refused)
{
    start();
    auto owner = anon();
    auto other = anon();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), bearer(owner));
    sse_reader reader(*s.conn);
    auto all = read_all(reader);
    auto id = std::string(all.events.back().data.at("message_id").as_string());

    auto path = "/api/v1/chat/stream/" + id;
    EXPECT_EQ(call(port_, "GET", path, {}, other).status(), 404u) << "another session's answer";
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat/" + id + "/cancel", {}, other).status(), 404u);
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/stream/00000000-0000-4000-8000-000000000000", {}, owner).status(), 404u);
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/stream/not-an-id", {}, owner).status(), 404u);
    auto bad = call(port_, "GET", path, {}, owner, {{"Last-Event-ID", "someone-else:3"}});
    EXPECT_EQ(bad.status(), 400u);
    for (const char* n : {":9223372036854775807", ":9223372036854775808", ":-2", ":1000000001", ":+1", ": 1"}) {
        auto huge = call(port_, "GET", path, {}, owner, {{"Last-Event-ID", id + n}});
        EXPECT_EQ(huge.status(), 400u) << n;
        EXPECT_EQ(huge.json.at("error").at("details").at("field"), "Last-Event-ID") << n;
    }
    auto owned = start_stream(port_, "GET", path, {}, bearer(owner));
    EXPECT_EQ(owned.head.status, 200u);
}

TEST_F(chat_api, cancel_ends_the_stream_with_done_cancelled)
{
    start({{"BUILTIN_TOKEN_DELAY", "200ms"}});
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
    sse_reader reader(*s.conn);
    auto sources = reader.next();
    auto first = reader.next();
    ASSERT_TRUE(sources && first);
    auto id = first->id.substr(0, first->id.find(':'));
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat/" + id + "/cancel").status(), 204u);
    auto rest = read_all(reader);
    ASSERT_FALSE(rest.events.empty());
    EXPECT_EQ(rest.events.back().event, "done");
    EXPECT_EQ(rest.events.back().data.at("cancelled"), true);
    EXPECT_LT(rest.events.size(), 10u) << "generation stopped";
}

TEST_F(chat_api, an_answer_nobody_listens_to_is_cancelled)
{
    start({{"BUILTIN_TOKEN_DELAY", "100ms"}, {"ANSWER_ABANDON_TIMEOUT", "300ms"}});
    std::string id;
    {
        auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
        sse_reader reader(*s.conn);
        auto e = reader.next();
        ASSERT_TRUE(e);
        id = e->id.substr(0, e->id.find(':'));
    }
    std::this_thread::sleep_for(1200ms);
    auto replay = start_stream(port_, "GET", "/api/v1/chat/stream/" + id, {}, {});
    sse_reader reader(*replay.conn);
    auto all = read_all(reader);
    ASSERT_FALSE(all.events.empty());
    EXPECT_EQ(all.events.back().data.at("cancelled"), true);
}

TEST_F(chat_api, quiet_streams_ping_then_end_with_an_error)
{
    start({{"BUILTIN_TOKEN_DELAY", "3s"}, {"STREAM_PING_INTERVAL", "300ms"}, {"STREAM_IDLE_TIMEOUT", "1s"}});
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), {});
    sse_reader reader(*s.conn);
    int pings = 0;
    std::optional<sse_event> last;
    while (auto e = reader.next(5s)) {
        if (e->comment == "ping")
            ++pings;
        last = e;
        if (e->event == "error" || e->event == "done")
            break;
    }
    EXPECT_GE(pings, 2);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->event, "error");
    EXPECT_EQ(last->data.at("error").at("code"), "STREAM_IDLE_TIMEOUT");
}

TEST_F(chat_api, anonymous_limits_apply_before_the_stream_starts)
{
    // Day windows: a minute window could roll over mid-test and let one more in.
    start({{"RATE_ANONYMOUS", "2/day"}, {"RATE_ANONYMOUS_IP", "100/day"}});
    auto token = anon();
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(call(port_, "POST", "/api/v1/chat", ask("hi"), token).status(), 200u);
    auto limited = start_stream(port_, "POST", "/api/v1/chat/stream",
                                boost::json::serialize(boost::json::object{{"message", "hi"}, {"tier", "premium"}}),
                                bearer(token));
    EXPECT_EQ(limited.head.status, 429u) << "the tier a client sends is ignored";
    EXPECT_EQ(limited.head.header("content-type"), "application/json");
    EXPECT_FALSE(limited.head.header("retry-after").empty());
    auto metrics = request(port_, "GET", "/metrics").body;
    EXPECT_NE(metrics.find(R"(chatkit_http_requests_total{method="POST",route="/api/v1/chat/stream",status="429"})"),
              std::string::npos)
        << "a 429 counts under its route:\n"
        << metrics;
}

TEST_F(chat_api, head_on_every_route_sends_no_body_and_keeps_the_connection_in_step)
{
    start();
    auto token = anon();
    auto answer = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), token);
    ASSERT_EQ(answer.status(), 200u);
    auto id = answer.str("message_id");
    for (const std::string& target :
         std::vector<std::string>{"/health", "/metrics", "/", "/widget/chatkit-widget.js", "/docs/",
                                  "/docs/embodied.md", "/api/v1/auth/session-check", "/api/v1/auth/verification-status",
                                  "/api/v1/chat/saved", "/api/v1/chat/saved/00000000-0000-0000-0000-000000000000",
                                  "/api/v1/chat/stream/" + id, "/nothing-here", "/api/v1/chat"}) {
        connection c(port_);
        c.send("HEAD " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
               "\r\nLast-Event-ID: " + id + ":0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        auto head = c.read_head();
        ASSERT_TRUE(head) << target;
        auto next = c.read_response();
        ASSERT_TRUE(next) << target << " left the connection out of step";
        EXPECT_EQ(next->status, 200u) << target;
        EXPECT_EQ(next->body.rfind("{\"status\":\"ok\"", 0), 0u) << target << ": " << next->body;
    }
}

TEST_F(chat_api, anonymous_history_is_stored_and_moves_into_the_account)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    start();
    auto token = anon();
    for (const char* q : {"What is embodied AI?", "How do health checks work?"})
        ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask(q), token).status(), 200u);
    wait_for_history(db_url_, 4);
    auto account = user();
    auto moved = call(port_, "POST", "/api/v1/auth/migrate-session",
                      boost::json::serialize(boost::json::object{{"anon_token", token}}), account);
    ASSERT_EQ(moved.status(), 200u) << moved.raw.body;
    EXPECT_EQ(moved.json.at("migrated_messages"), 4);
    auto saved = call(port_, "GET", "/api/v1/chat/saved", {}, account);
    ASSERT_EQ(saved.json.at("chats").as_array().size(), 1u);
    auto chat_id = std::string(saved.json.at("chats").at(0).at("chat_id").as_string());
    auto chat = call(port_, "GET", "/api/v1/chat/saved/" + chat_id, {}, account);
    auto& messages = chat.json.at("messages").as_array();
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_EQ(messages[0].at("role"), "user");
    EXPECT_EQ(messages[0].at("content"), "What is embodied AI?");
    EXPECT_EQ(messages[1].at("role"), "assistant");
    EXPECT_EQ(messages[2].at("content"), "How do health checks work?");
}

TEST_F(chat_api, saved_chats_belong_to_their_user)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    start();
    auto alice = user();
    auto bob = user();
    auto body = boost::json::serialize(boost::json::object{
        {"title", "Deploying"},
        {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", "How to deploy?"}},
                                        boost::json::object{{"role", "assistant"}, {"content", "Behind a proxy."}}}}});
    auto saved = call(port_, "POST", "/api/v1/chat/save", body, alice);
    ASSERT_EQ(saved.status(), 200u) << saved.raw.body;
    auto id = saved.str("chat_id");
    EXPECT_EQ(saved.str("saved_at").back(), 'Z');

    auto list = call(port_, "GET", "/api/v1/chat/saved", {}, alice);
    ASSERT_EQ(list.json.at("chats").as_array().size(), 1u);
    EXPECT_EQ(list.json.at("chats").at(0).at("message_count"), 2);
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/saved/" + id, {}, alice).json.at("title"), "Deploying");

    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/saved/" + id, {}, bob).status(), 404u);
    EXPECT_EQ(call(port_, "DELETE", "/api/v1/chat/saved/" + id, {}, bob).status(), 404u);
    EXPECT_TRUE(call(port_, "GET", "/api/v1/chat/saved", {}, bob).json.at("chats").as_array().empty());
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/saved", {}, anon()).status(), 401u);

    EXPECT_EQ(call(port_, "DELETE", "/api/v1/chat/saved/" + id, {}, alice).status(), 204u);
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/saved/" + id, {}, alice).status(), 404u);

    boost::json::array too_many;
    for (int i = 0; i < 201; ++i)
        too_many.push_back(boost::json::object{{"role", "user"}, {"content", "x"}});
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat/save",
                   boost::json::serialize(boost::json::object{{"messages", too_many}}), alice)
                  .json.at("error")
                  .at("details")
                  .at("field"),
              "messages");
    auto bad_role = boost::json::serialize(boost::json::object{
        {"messages", boost::json::array{boost::json::object{{"role", "system"}, {"content", "x"}}}}});
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat/save", bad_role, alice).json.at("error").at("details").at("field"),
              "messages[0].role");
}

TEST_F(chat_api, personalization_ranks_the_corpus_against_the_user)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    start({{"RATE_PERSONALIZE", "100/minute"}});
    auto deployer = user();
    for (const char* q : {"How do I run several instances?", "Can instances share PostgreSQL?"})
        call(port_, "POST", "/api/v1/chat", ask(q), deployer);
    wait_for_history(db_url_, 4);
    auto r = call(port_, "POST", "/api/v1/user/personalize", "{}", deployer);
    ASSERT_EQ(r.status(), 200u) << r.raw.body;
    ASSERT_FALSE(r.json.at("recommendations").as_array().empty());
    EXPECT_EQ(r.json.at("recommendations").at(0), "Running several instances");
    EXPECT_EQ(r.json.at("personalized_content").at("tier"), "lightweight");

    auto robotics = call(port_, "POST", "/api/v1/user/personalize",
                         R"({"preferences": {"topics": ["embodied robots", "sensors"]}})", deployer);
    auto top = std::string(robotics.json.at("recommendations").at(0).as_string());
    EXPECT_TRUE(top == "Sensors" || top == "Embodied AI") << "stated preferences outrank history: " << top;
    auto& topics = robotics.json.at("personalized_content").at("topics").as_array();
    EXPECT_FALSE(topics.empty());

    EXPECT_EQ(call(port_, "POST", "/api/v1/user/personalize", "{}", anon()).status(), 401u);
}

namespace {

// A corpus folder of one page about teapots; quokkas() adds one that answers
// "What do quokkas eat?", which the server refuses until it reloads.
struct teapot_corpus {
    std::string dir;
    teapot_corpus()
    {
        char path[] = "/tmp/chatkit-corpus-XXXXXX";
        dir = ::mkdtemp(path) ? path : "";
        std::ofstream(dir + "/one.md") << "# Teapots\n\nTeapots hold tea.\n";
    }
    ~teapot_corpus() { std::filesystem::remove_all(dir); }
    teapot_corpus(const teapot_corpus&) = delete;
    teapot_corpus& operator=(const teapot_corpus&) = delete;
    void quokkas() const { std::ofstream(dir + "/two.md") << "# Quokkas\n\nQuokkas eat leaves and grasses.\n"; }
};

std::string quokka_answer(std::uint16_t port)
{
    return call(port, "POST", "/api/v1/chat", ask("What do quokkas eat?")).str("answer");
}

} // namespace

TEST(corpus_reload, sighup_swaps_the_corpus_without_dropping_connections)
{
    teapot_corpus corpus;
    ASSERT_FALSE(corpus.dir.empty());
    auto env = dev_env();
    env["CORPUS_DIR"] = corpus.dir;
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port);
    EXPECT_NE(quokka_answer(*port).find("could not find"), std::string::npos);

    connection kept(*port);
    kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(kept.read_response());
    corpus.quokkas();
    p.signal(SIGHUP);
    EXPECT_TRUE(eventually([&] { return quokka_answer(*port).find("Quokkas eat leaves") != std::string::npos; }, 5s));
    kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto still = kept.read_response();
    ASSERT_TRUE(still) << "the open connection survived the reload";
    EXPECT_EQ(still->status, 200u);
}

TEST(docs_pages, serve_the_corpus_pictures_and_nothing_outside_it)
{
    teapot_corpus corpus;
    ASSERT_FALSE(corpus.dir.empty());
    std::filesystem::create_directories(corpus.dir + "/images");
    const std::string png("\x89PNG\r\n\x1a\n-a-teapot", 17);
    std::ofstream(corpus.dir + "/images/teapot.png", std::ios::binary) << png;
    std::ofstream(corpus.dir + "/images/spout.svg")
        << "<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>";
    std::ofstream(corpus.dir + "/notes.txt") << "not a picture";
    std::filesystem::create_symlink("/etc/hostname", corpus.dir + "/images/host.png");
    auto env = dev_env();
    env["CORPUS_DIR"] = corpus.dir;
    env["SUPPORT_URL"] = "mailto:docs@example.com?body={question}";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();

    auto picture = request(*port, "GET", "/docs/images/teapot.png");
    EXPECT_EQ(picture.status, 200u);
    EXPECT_EQ(picture.header("content-type"), "image/png");
    EXPECT_EQ(picture.body, png);
    auto svg = request(*port, "GET", "/docs/images/spout.svg");
    EXPECT_EQ(svg.status, 200u);
    EXPECT_NE(svg.header("content-security-policy").find("sandbox"), std::string::npos) << "no script in an SVG";
    for (const char* outside : {"/docs/images/host.png", "/docs/notes.txt", "/docs/images/../../etc/hostname",
                                "/docs/images/%2e%2e/%2e%2e/etc/hostname", "/docs/images/nothing.png"})
        EXPECT_EQ(request(*port, "GET", outside).status, 404u) << outside;

    auto settings = call(*port, "GET", "/api/v1/widget/settings");
    EXPECT_EQ(settings.status(), 200u);
    EXPECT_EQ(settings.str("support_url"), "mailto:docs@example.com?body={question}");
}

TEST(corpus_reload, changed_files_are_noticed_without_a_signal)
{
    teapot_corpus corpus;
    ASSERT_FALSE(corpus.dir.empty());
    auto env = dev_env();
    env["CORPUS_DIR"] = corpus.dir;
    env["CORPUS_RELOAD_INTERVAL"] = "100ms";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    EXPECT_NE(quokka_answer(*port).find("could not find"), std::string::npos);
    corpus.quokkas();
    EXPECT_TRUE(eventually([&] { return quokka_answer(*port).find("Quokkas eat leaves") != std::string::npos; }, 5s))
        << p.output();
}

// A reload whose SIGHUP came before the stop used to wait for the next
// SIGHUP and hold the process after the drain (a 90 s stop under systemd).
TEST(corpus_reload, sighups_then_sigterm_exit_within_the_drain_timeout)
{
    char dir[] = "/tmp/chatkit-corpus-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    for (int i = 0; i < 400; ++i) {
        std::ofstream page(std::string(dir) + "/page" + std::to_string(i) + ".md");
        page << "# Page " << i << "\n\n";
        for (int j = 0; j < 40; ++j)
            page << "## Part " << j << "\n\nTeapots " << i << " hold tea number " << j << " in the pantry.\n\n";
    }
    auto env = dev_env();
    env["CORPUS_DIR"] = dir;
    env["DRAIN_TIMEOUT"] = "500ms";
    for (int attempt = 0; attempt < 3; ++attempt) {
        server_process p({}, env);
        ASSERT_TRUE(p.wait_until_listening()) << p.output();
        for (int i = 0; i < 4; ++i) {
            p.signal(SIGHUP);
            std::this_thread::sleep_for(std::chrono::milliseconds(15 * i));
        }
        p.signal(SIGTERM);
        EXPECT_EQ(p.wait_exit(10s), 0) << "attempt " << attempt << "\n" << p.output();
    }
    std::filesystem::remove_all(dir);
}

TEST_F(chat_api, logout_ends_the_sessions_open_streams_with_an_error_event)
{
    start({{"BUILTIN_TOKEN_DELAY", "200ms"}});
    auto token = anon();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), bearer(token));
    sse_reader reader(*s.conn);
    ASSERT_TRUE(reader.next()); // sources
    ASSERT_EQ(call(port_, "POST", "/api/v1/auth/logout", {}, token).status(), 204u);
    int after = 0;
    auto last = final_event(reader, 5s, &after);
    ASSERT_TRUE(last) << "the stream ended";
    EXPECT_EQ(last->event, "error");
    EXPECT_EQ(last->data.at("error").at("code"), "SESSION_ENDED");
    EXPECT_LE(after, 2) << "at most what was on its way";
}

TEST_F(chat_api, revoking_a_users_sessions_elsewhere_ends_their_streams)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    start({{"BUILTIN_TOKEN_DELAY", "300ms"}});
    auto email = unique_email("revoked");
    call(port_, "POST", "/api/v1/auth/signup",
         boost::json::serialize(boost::json::object{{"email", email}, {"consent_data_storage", true}}));
    auto token =
        call(port_, "POST", "/api/v1/auth/verify",
             boost::json::serialize(boost::json::object{{"token", verify_token_in(wait_for_mail(email).value_or(""))}}))
            .str("session_token");
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), bearer(token));
    sse_reader reader(*s.conn);
    ASSERT_TRUE(reader.next());
    // Another process (the operator's command line) revokes through the database only.
    server_process admin({"user", "revoke-sessions", email}, {{"DATABASE_URL", db_url_}});
    ASSERT_EQ(admin.wait_exit(20s), 0) << admin.output();
    auto last = final_event(reader, 5s);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->data.at("error").at("code"), "SESSION_ENDED");
}

TEST_F(chat_api, a_token_refreshed_mid_answer_still_resumes_and_cancels_it)
{
    start({{"BUILTIN_TOKEN_DELAY", "200ms"}});
    auto token = anon();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), bearer(token));
    sse_reader reader(*s.conn);
    auto first = reader.next();
    ASSERT_TRUE(first);
    auto id = first->id.substr(0, first->id.find(':'));
    auto refreshed = call(port_, "POST", "/api/v1/auth/refresh-token", {}, token);
    ASSERT_EQ(refreshed.status(), 200u);
    auto fresh = refreshed.str("token");
    auto resumed = start_stream(port_, "GET", "/api/v1/chat/stream/" + id, {},
                                {{"Authorization", "Bearer " + fresh}, {"Last-Event-ID", id + ":0"}});
    EXPECT_EQ(resumed.head.status, 200u) << "resume rights follow the session";
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat/" + id + "/cancel", {}, fresh).status(), 204u);
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat/" + id + "/cancel", {}, token).status(), 401u) << "the old token died";
    auto last = final_event(reader, 5s);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->event, "done");
    EXPECT_EQ(last->data.at("cancelled"), true);
}

TEST_F(chat_api, migration_moves_every_turn_including_one_still_answering)
{
    if (!smtp_url())
        GTEST_SKIP() << "no SMTP sink";
    start({{"BUILTIN_TOKEN_DELAY", "100ms"}});
    auto token = anon();
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), token).status(), 200u);
    ASSERT_EQ(call(port_, "POST", "/api/v1/chat", ask("How do teapots crack?"), token).status(), 200u);
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What do sensors do?"), bearer(token));
    sse_reader reader(*s.conn);
    ASSERT_TRUE(reader.next());
    auto account = user();
    // Right after the answers: no wait for the journal's batch.
    auto moved = call(port_, "POST", "/api/v1/auth/migrate-session",
                      boost::json::serialize(boost::json::object{{"anon_token", token}}), account);
    ASSERT_EQ(moved.status(), 200u) << moved.raw.body;
    EXPECT_EQ(moved.json.at("migrated_messages"), 4) << "both finished turns";
    auto last = final_event(reader, 10s);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->event, "done") << "the answer on its way goes on";
    auto chats = call(port_, "GET", "/api/v1/chat/saved", {}, account);
    ASSERT_EQ(chats.json.at("chats").as_array().size(), 1u);
    auto chat_id = std::string(chats.json.at("chats").at(0).at("chat_id").as_string());
    EXPECT_TRUE(eventually(
        [&] {
            return call(port_, "GET", "/api/v1/chat/saved/" + chat_id, {}, account)
                       .json.at("messages")
                       .as_array()
                       .size() == 6u;
        },
        2500ms))
        << "the third turn joined the saved chat when it ended";
}

TEST(corpus_reload, reloads_during_fifty_streaming_answers_leave_every_answer_whole)
{
    char dir[] = "/tmp/chatkit-corpus-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    auto write_corpus = [&](int generation) {
        std::ofstream(std::string(dir) + "/teapots.md")
            << "# Teapots\n\nTeapots hold tea, generation " << generation << ". They keep it warm for a while.\n";
    };
    write_corpus(0);
    auto env = dev_env();
    env["CORPUS_DIR"] = dir;
    env["BUILTIN_TOKEN_DELAY"] = "20ms";
    env["RATE_ANONYMOUS_IP"] = "unlimited";
    server_process p({}, env);
    auto port = p.wait_until_listening();
    ASSERT_TRUE(port) << p.output();
    std::vector<open_stream> streams;
    for (int i = 0; i < 50; ++i) {
        streams.push_back(start_stream(*port, "POST", "/api/v1/chat/stream", ask("What do teapots hold?"), {}));
        ASSERT_EQ(streams.back().head.status, 200u);
        if (i % 5 == 4) {
            // Each reload frees the corpus the answers so far were retrieved from.
            write_corpus(i);
            p.signal(SIGHUP);
        }
    }
    for (auto& s : streams) {
        sse_reader reader(*s.conn);
        auto all = read_all(reader);
        ASSERT_FALSE(all.events.empty()) << p.output();
        EXPECT_EQ(all.events.back().event, "done") << p.output();
        EXPECT_NE(all.text.find("Teapots hold tea"), std::string::npos);
    }
    EXPECT_EQ(request(*port, "GET", "/health").status, 200u) << "the server lived through it";
    std::filesystem::remove_all(dir);
}

TEST_F(chat_api, an_answer_is_rated_by_whoever_may_resume_it_once_and_changeably)
{
    start({{"RATE_ANALYTICS", "8/minute"}});
    auto token = anon();
    auto id = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), token).str("message_id");
    ASSERT_FALSE(id.empty());
    auto rate = [&](boost::json::object body, const std::string& who) {
        return call(port_, "POST", "/api/v1/chat/feedback", boost::json::serialize(body), who);
    };
    EXPECT_EQ(rate({{"message_id", id}, {"rating", "down"}}, anon()).status(), 404u) << "another reader's answer";
    EXPECT_EQ(rate({{"message_id", id}, {"rating", "down"}}, {}).status(), 404u) << "no token, an owned answer";
    auto wrong =
        rate({{"message_id", id}, {"rating", "down"}, {"reason", "incorrect"}, {"comment", "It says robots."}}, token);
    EXPECT_EQ(wrong.status(), 204u) << wrong.raw.body;
    EXPECT_EQ(rate({{"message_id", id}, {"rating", "up"}}, token).status(), 204u) << "changed";
    auto db = open_database(db_url_);
    EXPECT_EQ(query_number(*db, "SELECT COUNT(*) FROM answer_feedback"), 1) << "one rating per answer";
    std::string rating;
    *db << "SELECT rating FROM answer_feedback WHERE message_id = :id", soci::use(id), soci::into(rating);
    EXPECT_EQ(rating, "up");

    EXPECT_EQ(rate({{"message_id", id}, {"rating", "meh"}}, token).error_code(), "INVALID_REQUEST");
    EXPECT_EQ(rate({{"message_id", id}, {"rating", "down"}, {"reason", "boring"}}, token).status(), 400u);
    EXPECT_EQ(rate({{"message_id", id}, {"rating", "down"}, {"comment", std::string(501, 'x')}}, token).status(), 400u);
    EXPECT_EQ(rate({{"message_id", "not-a-uuid"}, {"rating", "up"}}, token).status(), 400u);
    auto metrics = call(port_, "GET", "/metrics").raw.body;
    EXPECT_NE(metrics.find("chatkit_answer_ratings_total{rating=\"up\"} 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("chatkit_answer_ratings_total{rating=\"down\"} 1"), std::string::npos);

    unsigned last = 0;
    for (int i = 0; i < 10 && last != 429u; ++i)
        last = rate({{"message_id", id}, {"rating", "up"}}, token).status();
    EXPECT_EQ(last, 429u) << "limited like analytics";
}

TEST_F(chat_api, resumes_and_saved_chat_volume_are_limited_per_client)
{
    start({{"RATE_RESUME", "3/day"}, {"RATE_SAVED_CHAT_BYTES", "1000/day"}});
    auto token = anon();
    auto answer = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), token);
    auto id = answer.str("message_id");
    wait_for_history(db_url_, 2);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(call(port_, "GET", "/api/v1/chat/stream/" + id, {}, token).status(), 200u) << i;
    auto limited = call(port_, "GET", "/api/v1/chat/stream/" + id, {}, token);
    EXPECT_EQ(limited.status(), 429u);
    EXPECT_FALSE(limited.raw.header("retry-after").empty());
    EXPECT_EQ(call(port_, "GET", "/api/v1/chat/stream/" + id, {}, anon()).status(), 404u) << "another client";

    if (!smtp_url())
        return;
    auto account = user();
    auto save = [&](std::size_t bytes) {
        boost::json::array messages{boost::json::object{{"role", "user"}, {"content", std::string(bytes, 'x')}}};
        return call(port_, "POST", "/api/v1/chat/save",
                    boost::json::serialize(boost::json::object{{"messages", messages}}), account)
            .status();
    };
    EXPECT_EQ(save(600), 200u);
    EXPECT_EQ(save(600), 429u) << "1,000 bytes a day";
    EXPECT_EQ(save(300), 200u);
}
