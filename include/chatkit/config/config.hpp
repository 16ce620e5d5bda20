#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace chatkit::config {

enum class mode { development, production };

struct config {
    mode env = mode::development;
    bool integration_test_mode = false;

    std::string bind = "127.0.0.1";
    std::uint16_t port = 8000;
    unsigned threads = 0; // 0: one per core

    std::string secret_key;
    std::string secret_key_previous;
    bool secret_generated = false; // development: an ephemeral key was made up

    std::string database_url = "sqlite:///./var/chatkit.db";
    std::vector<std::string> cors_origins; // empty in development: any localhost origin
    std::vector<std::string> trusted_proxies;
    std::string public_verify_url;
    std::string smtp_url;
    std::string mail_from = "ChatKit <no-reply@localhost>";
    std::string corpus_dir = "docs";
    std::string llm_base_url;
    std::string llm_model;
    std::string llm_api_key;

    std::string log_level = "info";
    std::string log_format = "text";

    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds drain_timeout{30'000};
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 64 * 1024;
    std::size_t max_json_depth = 32;

    // Mounts /api/v1/test/*: routes that exist only to test the chain.
    bool test_routes = false;

    [[nodiscard]] bool production() const { return env == mode::production; }
};

} // namespace chatkit::config
