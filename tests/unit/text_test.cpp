#include "chatkit/util/text.hpp"

#include <gtest/gtest.h>

using chatkit::util::trim_space;

TEST(trim_space, strips_white_space_and_invisible_characters_of_any_script)
{
    EXPECT_EQ(trim_space("  hello \t\r\n"), "hello");
    EXPECT_EQ(trim_space("\xE3\x80\x80hi\xE3\x80\x80"), "hi") << "ideographic space";
    EXPECT_EQ(trim_space("\xE2\x80\x8B\xEF\xBB\xBFhi\xE2\x81\xA0"), "hi") << "zero width space, BOM, word joiner";
    EXPECT_EQ(trim_space("\xC2\xA0\xE2\x80\xAF"), "") << "only no-break spaces";
    EXPECT_EQ(trim_space("a\xE2\x80\x8B"
                         "b"),
              "a\xE2\x80\x8B"
              "b")
        << "inside stays";
    EXPECT_EQ(trim_space("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9") << "letters are not space";
    EXPECT_EQ(trim_space(""), "");
}
