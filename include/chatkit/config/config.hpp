#pragma once

#include "chatkit/config/install_paths.hpp"
#include "chatkit/config/limit_spec.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::config {

enum class mode { development, production };

struct config {
    mode env = mode::development;
    bool integration_test_mode = false;

    std::string bind = "127.0.0.1";
    std::uint16_t port = 8000;
    // The admin listener (/metrics, /livez, /readyz, /health): ADMIN_BIND
    // "host:port", "off". Unset: on at 127.0.0.1:9464 in production, off in
    // development (where /metrics is on the public port).
    std::optional<std::string> admin_bind;
    // When set, every route of the admin listener but the probes and
    // metrics wants "Authorization: Bearer <admin_token>" (the insights).
    std::string admin_token;
    [[nodiscard]] bool admin_enabled() const { return admin_bind ? *admin_bind != "off" : production(); }
    unsigned threads = 0; // 0: one per core

    std::string secret_key;
    std::string secret_key_previous;
    bool secret_generated = false; // development: an ephemeral key was made up

    std::string database_url = "sqlite://" + state_dir() + "/chatkit.db";
    std::vector<std::string> cors_origins; // empty in development: any localhost origin
    std::vector<std::string> trusted_proxies;
    std::string public_verify_url;
    std::string smtp_url;
    std::string mail_from = "ChatKit <no-reply@localhost>";
    std::string corpus_dir = data_dir() + "/docs";
    std::string corpus_url_prefix = "/docs/";
    std::string corpus_site = "plain"; // plain | mkdocs | docusaurus: how the published site names pages and headings
    // How often CORPUS_DIR is looked at for changed files, reloaded when
    // any changed (as SIGHUP does); 0: only on SIGHUP.
    std::chrono::milliseconds corpus_reload_interval{0};
    std::string widget_dir = data_dir() + "/widget";
    std::chrono::milliseconds builtin_token_delay{15};
    std::chrono::milliseconds stream_ping_interval{15'000};
    // Renewed every third of it; past it, other instances end this one's
    // unfinished answers.
    std::chrono::seconds instance_lease{30};
    std::chrono::milliseconds stream_idle_timeout{60'000};
    std::chrono::milliseconds answer_abandon_timeout{60'000};
    std::string llm_base_url;
    std::string llm_model;
    std::string llm_api_key;
    std::chrono::milliseconds llm_connect_timeout{5000};
    std::chrono::milliseconds llm_first_token_timeout{20000};
    int llm_max_tokens = 1024;
    std::size_t llm_prompt_tokens = 3000; // estimated tokens of the prompt: sources, turns, question
    std::size_t max_answer_bytes = 64 * 1024;
    // Where a reader the answers did not help can ask a person: an http(s)
    // URL template with {question} and {conversation_url}, or a mailto:.
    std::string support_url;
    // Retrieval by meaning (docs/configuration.md, "Embeddings"); unset
    // base URL: lexical only.
    std::string embeddings_base_url;
    std::string embeddings_model;
    std::string embeddings_api_key;
    std::size_t embeddings_dimensions = 0; // 0: the model's own
    std::chrono::milliseconds embeddings_connect_timeout{5000};
    std::chrono::milliseconds embeddings_request_timeout{30'000};
    std::chrono::milliseconds embeddings_question_timeout{1500};
    std::size_t embeddings_batch_size = 64;
    std::size_t embeddings_concurrency = 2;
    double embeddings_min_similarity = 0.5;
    std::chrono::seconds embeddings_keep_unused{3600};

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
    std::size_t max_connections = 0; // 0: the descriptor limit less a reserve

    std::chrono::milliseconds db_statement_timeout{5000};
    unsigned db_pool = 4;

    std::chrono::seconds verify_token_ttl{600};
    std::chrono::seconds session_idle_timeout{24 * 3600};
    std::chrono::seconds session_lifetime{30 * 24 * 3600};
    // A shared conversation's read-only link opens this long after it was made.
    std::chrono::seconds share_link_lifetime{30 * 24 * 3600};

    // API.md "Tiers and rate limits".
    struct rate_limits {
        limit_spec anonymous{{10, std::chrono::seconds(60), "minute"}, {500, std::chrono::seconds(86400), "day"}};
        limit_spec anonymous_ip{{10, std::chrono::seconds(60), "minute"}, {500, std::chrono::seconds(86400), "day"}};
        limit_spec lightweight{{30, std::chrono::seconds(60), "minute"}};
        limit_spec full{{100, std::chrono::seconds(60), "minute"}};
        limit_spec premium{};
        limit_spec save_chat{{5, std::chrono::seconds(60), "minute"}};
        limit_spec personalize{{3, std::chrono::seconds(60), "minute"}};
        limit_spec verify_email_address{{3, std::chrono::seconds(3600), "hour"}};
        limit_spec verify_email_ip{{10, std::chrono::seconds(3600), "hour"}};
        limit_spec anonymous_sessions_ip{{60, std::chrono::seconds(60), "minute"}};
        limit_spec analytics{{60, std::chrono::seconds(60), "minute"}};
        limit_spec resume{{60, std::chrono::seconds(60), "minute"}};
        limit_spec shared_page{{60, std::chrono::seconds(60), "minute"}};
        limit_spec saved_chat_bytes{{2'000'000, std::chrono::seconds(60), "minute"}};
    } rates;

    // docs/operations.md "Retention".
    struct retention_periods {
        std::chrono::seconds anonymous_chats{30 * 24 * 3600};
        std::chrono::seconds finished_streams{3600};
        std::chrono::seconds ended_sessions{7 * 24 * 3600};
        std::chrono::seconds sent_mail{7 * 24 * 3600};
        std::chrono::seconds analytics{90 * 24 * 3600};
        std::chrono::milliseconds interval{60'000};
    } retention;

    // Per-IP limits count IPv6 clients by this many leading bits.
    unsigned ipv6_limit_prefix = 64;

    // Mounts /api/v1/test/*: routes that exist only to test the chain.
    bool test_routes = false;

    [[nodiscard]] bool production() const { return env == mode::production; }
};

struct listen_address {
    std::string host; // an IP address
    std::uint16_t port = 0;
};
// "127.0.0.1:9464" or "[::1]:9464"; nullopt when it is not that.
std::optional<listen_address> admin_address(std::string_view text);

} // namespace chatkit::config
