#include "chatkit/chat/stream/answer_stream.hpp"
#include "chatkit/http/sse.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

using namespace chatkit;

namespace {

std::shared_ptr<chat::answer_stream> make_stream(boost::asio::io_context& io)
{
    return std::make_shared<chat::answer_stream>("m1", chat::stream_owner{}, io.get_executor());
}

std::string all_frames(chat::answer_stream& s, std::size_t from = 0)
{
    bool finished = false;
    std::size_t count = 0;
    return s.frames_from(from, finished, count).value_or("");
}

} // namespace

// Tokens are stored as their text and rendered on read: a listener must get
// the very bytes a frame stored whole would give.
TEST(answer_stream, token_frames_read_as_whole_frames_would)
{
    boost::asio::io_context io;
    auto compact = make_stream(io);
    auto whole = make_stream(io);
    compact->append(http::sse_fields("sources", R"({"sources":[]})"), false);
    whole->append(http::sse_fields("sources", R"({"sources":[]})"), false);
    for (std::string token : {"Line", " \"one\"\n", " \xC3\xA9t\xC3\xA9", " \\end"}) {
        compact->append_token(token);
        whole->append(chat::token_fields(token), false);
    }
    compact->append(http::sse_fields("done", "{}"), true);
    whole->append(http::sse_fields("done", "{}"), true);

    EXPECT_EQ(all_frames(*compact), all_frames(*whole));
    EXPECT_EQ(all_frames(*compact, 3), all_frames(*whole, 3));
    EXPECT_NE(all_frames(*compact).find("id: m1:2\nevent: token\ndata: {\"content\":\" \\\"one\\\"\\n\"}\n\n"),
              std::string::npos);
    EXPECT_EQ(compact->text(), "Line \"one\"\n \xC3\xA9t\xC3\xA9 \\end");
}

TEST(answer_stream, nothing_is_appended_after_the_final_frame)
{
    boost::asio::io_context io;
    auto s = make_stream(io);
    s->append_token("a");
    s->append(http::sse_fields("done", "{}"), true);
    s->append_token("b");
    EXPECT_EQ(s->text(), "a");
    EXPECT_TRUE(s->finished());
    EXPECT_EQ(all_frames(*s).find("\"b\""), std::string::npos);
}
