// needs_escape() decides whether a log line is written as it is; it must
// agree with sanitize() on every byte, wherever the byte sits in a word.
#include "chatkit/obs/logger.hpp"

#include <gtest/gtest.h>

using chatkit::obs::needs_escape;
using chatkit::obs::sanitize;

namespace {

bool changed_by_sanitize(const std::string& s)
{
    return sanitize(s, s.size() + 1) != s;
}

} // namespace

TEST(log_escape, every_byte_at_every_position)
{
    for (int b = 0; b < 256; ++b)
        for (std::size_t at = 0; at < 19; ++at) {
            std::string line(19, 'a');
            line[at] = char(b);
            ASSERT_EQ(needs_escape(line), changed_by_sanitize(line)) << "byte " << b << " at " << at;
        }
}

TEST(log_escape, every_pair_of_neighbours_inside_and_across_words)
{
    // Borrows and carries between neighbouring bytes are where word-at-a-time
    // tests go wrong.
    for (std::size_t at : {std::size_t(2), std::size_t(7)})
        for (int a = 0; a < 256; ++a)
            for (int b = 0; b < 256; ++b) {
                std::string line(16, 'a');
                line[at] = char(a);
                line[at + 1] = char(b);
                ASSERT_EQ(needs_escape(line), changed_by_sanitize(line)) << a << "," << b << " at " << at;
            }
}

TEST(log_escape, ordinary_lines_pass_untouched)
{
    EXPECT_FALSE(needs_escape("access GET /api/v1/chat/stream 200 1234B 0.512ms rid=0123456789abcdef"));
    EXPECT_TRUE(needs_escape("access GET /x\r\nforged 200"));
    EXPECT_TRUE(needs_escape("path\\with\\backslashes"));
    EXPECT_FALSE(needs_escape(""));
}
