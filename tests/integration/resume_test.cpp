// How standard SSE clients resume (API.md "Chat"): a dropped POST retried
// with Last-Event-ID continues the same answer (no second answer, no second
// rate-limit hit), and a resume with nothing left answers 204 so an
// EventSource stops reconnecting.
#include "support/api.hpp"
#include "support/chat_fixture.hpp"
#include "support/eventually.hpp"
#include "support/sse.hpp"

#include "chatkit/store/chat_repo.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <thread>

using namespace chatkit::test;
using namespace std::chrono_literals;

namespace {

long long stored_answers(const std::string& db_url)
{
    return query_number(db_url, "SELECT COUNT(*) FROM chat_streams");
}

} // namespace

TEST_F(chat_api, a_retried_post_with_last_event_id_continues_the_same_answer)
{
    // Two questions a day: the retry must not be a third. (A minute's fixed
    // window could roll over between the second question and the third.)
    start({{"BUILTIN_TOKEN_DELAY", "40ms"}, {"RATE_ANONYMOUS", "2/day"}});
    auto token = anon();
    auto full = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), token).str("answer");
    auto body = ask("What is embodied AI?");
    std::string last_id, seen_text;
    {
        auto s = start_stream(port_, "POST", "/api/v1/chat/stream", body, bearer(token));
        sse_reader reader(*s.conn);
        for (int i = 0; i < 5; ++i) {
            auto e = reader.next();
            ASSERT_TRUE(e);
            last_id = e->id;
            if (e->event == "token")
                seen_text += e->data.at("content").as_string();
        }
    } // the connection drops here
    auto headers = bearer(token);
    headers.emplace_back("Last-Event-ID", last_id);
    auto retried = start_stream(port_, "POST", "/api/v1/chat/stream", body, headers);
    ASSERT_EQ(retried.head.status, 200u);
    sse_reader reader(*retried.conn);
    auto rest = read_all(reader);
    ASSERT_FALSE(rest.events.empty());
    EXPECT_EQ(rest.events.front().id.substr(0, rest.events.front().id.find(':')), last_id.substr(0, last_id.find(':')))
        << "the same answer";
    EXPECT_EQ(rest.events.back().event, "done");
    EXPECT_EQ(seen_text + rest.text, full) << "nothing lost, nothing twice";
    EXPECT_EQ(stored_answers(db_url_), 2) << "no second answer was started";

    // Retrying once more with the final id: nothing left, 204, so a client stops.
    headers.back().second = rest.events.back().id;
    auto done = call(port_, "POST", "/api/v1/chat/stream", body, token, {{"Last-Event-ID", rest.events.back().id}});
    EXPECT_EQ(done.status(), 204u);
    auto get_done =
        start_stream(port_, "GET", "/api/v1/chat/stream/" + last_id.substr(0, last_id.find(':')), {}, headers);
    EXPECT_EQ(get_done.head.status, 204u);

    // The limit still holds for new questions.
    EXPECT_EQ(call(port_, "POST", "/api/v1/chat", ask("What do sensors do?"), token).status(), 429u);
}

TEST_F(chat_api, a_post_with_someone_elses_last_event_id_starts_nothing)
{
    start();
    auto owner = anon();
    auto answer = call(port_, "POST", "/api/v1/chat", ask("What is embodied AI?"), owner);
    auto id = answer.str("message_id");
    ASSERT_TRUE(eventually([&] { return stored_answers(db_url_) == 1; }, 5s));
    auto stranger = anon();
    auto foreign = call(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), stranger,
                        {{"Last-Event-ID", id + ":0"}});
    EXPECT_EQ(foreign.status(), 404u);
    auto unknown = call(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), stranger,
                        {{"Last-Event-ID", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b:3"}});
    EXPECT_EQ(unknown.status(), 404u);
    auto malformed =
        call(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI?"), stranger, {{"Last-Event-ID", "7"}});
    EXPECT_EQ(malformed.status(), 400u);
    std::this_thread::sleep_for(300ms); // past the journal's next batch
    EXPECT_EQ(stored_answers(db_url_), 1) << "none of them started an answer";
}

TEST_F(chat_api, the_journal_keeps_a_row_per_flush_and_replays_exactly_what_was_sent)
{
    start({{"BUILTIN_TOKEN_DELAY", "5ms"}});
    auto token = anon();
    auto s = start_stream(port_, "POST", "/api/v1/chat/stream", ask("What is embodied AI and what do sensors do?"),
                          bearer(token));
    ASSERT_EQ(s.head.status, 200u);
    sse_reader reader(*s.conn);
    auto sent = read_all(reader);
    ASSERT_GE(sent.events.size(), 20u) << "long enough to span several flushes";
    ASSERT_EQ(sent.events.back().event, "done");
    const auto& first_id = sent.events.front().id;
    auto id = first_id.substr(0, first_id.find(':'));
    auto db = open_database(db_url_);
    ASSERT_TRUE(eventually(
        [&] {
            long long finished = 0;
            *db << "SELECT COUNT(*) FROM chat_streams WHERE message_id = :id AND finished_at IS NOT NULL",
                soci::use(id), soci::into(finished);
            return finished == 1;
        },
        5s));
    long long rows = 0;
    *db << "SELECT COUNT(*) FROM stream_chunks WHERE message_id = :id", soci::use(id), soci::into(rows);
    EXPECT_GE(rows, 1);
    EXPECT_LT(rows * 4, static_cast<long long>(sent.events.size())) << "one row per flush, not one per token";

    // What another instance would replay after the client's fourth event.
    auto replay = chatkit::store::chat_repo::events_after(*db, id, 3);
    ASSERT_EQ(replay.size(), sent.events.size() - 4);
    for (std::size_t i = 0; i < replay.size(); ++i) {
        const auto& e = sent.events[i + 4];
        EXPECT_EQ(id + ":" + std::to_string(replay[i].first), e.id);
        auto data = replay[i].second.find("\ndata: ");
        ASSERT_NE(data, std::string::npos) << replay[i].second;
        auto line = replay[i].second.substr(data + 7, replay[i].second.find('\n', data + 1) - data - 7);
        EXPECT_EQ(boost::json::parse(line), e.data) << "event " << i + 4;
    }
}
