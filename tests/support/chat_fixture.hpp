#pragma once

// A chatkit server per test with the chat routes' usual settings, and the
// callers the chat tests need (anonymous, signed-in user).
#include "support/api.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace chatkit::test {

inline constexpr const char* secret = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";

// Answers reach the database in batches (about every 100 ms): wait until
// `expected` messages of the history are there.
inline void wait_for_history(const std::string& db_url, long long expected)
{
    auto db = open_database(db_url);
    long long stored = 0;
    for (int i = 0; i < 100 && stored < expected; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        *db << "SELECT COUNT(*) FROM messages", soci::into(stored);
    }
    EXPECT_GE(stored, expected);
}

// The chat routes' usual settings: a fixed secret, anonymous callers
// unlimited, and the mail sink when there is one.
inline std::map<std::string, std::string> chat_env()
{
    auto env = dev_env();
    env["SECRET_KEY"] = secret;
    env["RATE_ANONYMOUS"] = "unlimited";
    env["RATE_ANONYMOUS_IP"] = "unlimited";
    if (auto smtp = smtp_url())
        env["SMTP_URL"] = *smtp;
    return env;
}

class chat_api : public ::testing::Test {
protected:
    std::shared_ptr<server_process> start(std::map<std::string, std::string> extra = {})
    {
        auto env = chat_env();
        for (auto& [k, v] : extra)
            env[k] = v;
        db_url_ = env["DATABASE_URL"];
        server_ = std::make_shared<server_process>(std::vector<std::string>{}, env);
        auto port = server_->wait_until_listening();
        EXPECT_TRUE(port) << server_->output();
        port_ = port.value_or(0);
        return server_;
    }
    void TearDown() override
    {
        if (HasFailure() && server_)
            std::fprintf(stderr, "--- server output ---\n%s\n", server_->output().c_str());
    }
    std::string anon() { return call(port_, "POST", "/api/v1/auth/anonymous").str("anon_token"); }
    std::string user()
    {
        auto email = unique_email("chat");
        call(port_, "POST", "/api/v1/auth/signup",
             boost::json::serialize(boost::json::object{{"email", email}, {"consent_data_storage", true}}));
        auto token = verify_token_in(wait_for_mail(email).value_or(""));
        return call(port_, "POST", "/api/v1/auth/verify", boost::json::serialize(boost::json::object{{"token", token}}))
            .str("session_token");
    }
    std::vector<std::pair<std::string, std::string>> bearer(const std::string& token)
    {
        return {{"Authorization", "Bearer " + token}};
    }

    std::shared_ptr<server_process> server_;
    std::uint16_t port_ = 0;
    std::string db_url_;
};

} // namespace chatkit::test
