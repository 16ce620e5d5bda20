#include "server/response_head.hpp"

#include <gtest/gtest.h>

namespace http = chatkit::http;
using chatkit::server::head_options;
using chatkit::server::http_date;
using chatkit::server::serialize_head;

namespace {

// The head with its Date field taken out, so the rest compares exactly.
std::string without_date(std::string head)
{
    auto at = head.find("\r\nDate: ");
    EXPECT_NE(at, std::string::npos) << head;
    if (at != std::string::npos)
        head.erase(at + 2, head.find("\r\n", at + 2) - at);
    return head;
}

} // namespace

TEST(response_head, date_is_an_imf_fixdate)
{
    EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(response_head, writes_status_fields_and_framing)
{
    http::header_list h;
    h.add("Content-Type", "application/json");
    h.add("X-Request-ID", "abc");
    head_options o;
    o.status = 404;
    o.content_length = 12;
    EXPECT_EQ(without_date(serialize_head(h, o)),
              "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nX-Request-ID: abc\r\n"
              "Content-Length: 12\r\n\r\n");
    o.keep_alive = false;
    o.content_length.reset();
    o.chunked = true;
    EXPECT_EQ(without_date(serialize_head({}, o)),
              "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

TEST(response_head, no_field_can_split_the_head)
{
    for (std::string dirty : {"a\r\nSet-Cookie: x=1", "a\nSet-Cookie: x=1", "a\rb", "\r\n\r\n<html>"}) {
        http::header_list h;
        h.add("X-Clean", "ok");
        h.add("X-Dirty", dirty);
        h.add("X-Na\r\nme", "v");
        auto head = without_date(serialize_head(h, {}));
        std::string cleaned;
        for (char c : dirty)
            if (c != '\r' && c != '\n')
                cleaned += c;
        EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nX-Clean: ok\r\nX-Dirty: " + cleaned + "\r\nX-Name: v\r\n\r\n") << dirty;
    }
}
