#include "chatkit/config/loader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

TEST(docs, configuration_documents_every_setting)
{
    const char* dir = std::getenv("CHATKIT_DOCS_DIR");
    ASSERT_NE(dir, nullptr) << "run through meson test";
    std::ifstream in(std::string(dir) + "/configuration.md");
    ASSERT_TRUE(in) << "docs/configuration.md is missing";
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    for (const auto& s : chatkit::config::settings()) {
        auto quoted = [](std::string_view name) {
            return std::string("`").append(name).append("`");
        };
        EXPECT_NE(text.find(quoted(s.env)), std::string::npos) << s.env;
        EXPECT_NE(text.find(quoted(s.flag)), std::string::npos) << s.flag;
    }
}
