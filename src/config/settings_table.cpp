#include "settings_table.hpp"

#include "chatkit/config/install_paths.hpp"
#include "chatkit/config/limit_spec.hpp"
#include "chatkit/util/text.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <limits>

namespace chatkit::config {

namespace {

std::vector<std::string> split_list(std::string_view value)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        auto end = value.find(',', start);
        if (end == std::string_view::npos)
            end = value.size();
        if (auto item = util::trim(value.substr(start, end - start)); !item.empty())
            out.emplace_back(item);
        start = end + 1;
    }
    return out;
}

template <class T> bool parse_number(std::string_view s, T& out)
{
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

std::string parse_bool(std::string_view value, bool& out, std::string_view name)
{
    if (value == "true" || value == "1" || value == "yes") {
        out = true;
        return {};
    }
    if (value == "false" || value == "0" || value == "no") {
        out = false;
        return {};
    }
    return std::string(name) + " must be true or false";
}

// "10" and "10s" are seconds, "250ms" milliseconds.
std::string parse_duration(std::string_view value, std::chrono::milliseconds& out, std::string_view name)
{
    std::int64_t scale = 1000;
    if (value.ends_with("ms")) {
        value.remove_suffix(2);
        scale = 1;
    } else if (!value.empty() && std::string_view("smhd").find(value.back()) != std::string_view::npos) {
        constexpr std::int64_t seconds[] = {1, 60, 3600, 86400};
        scale = 1000 * seconds[std::string_view("smhd").find(value.back())];
        value.remove_suffix(1);
    }
    std::int64_t n = 0;
    if (!parse_number(value, n) || n < 0 || n > std::numeric_limits<std::int64_t>::max() / scale)
        return std::string(name) + " must be a duration such as 30, 30s, 500ms, 15m, 2h or 7d";
    out = std::chrono::milliseconds(n * scale);
    return {};
}

std::string parse_seconds(std::string_view value, std::chrono::seconds& out, std::string_view name)
{
    std::chrono::milliseconds ms{};
    if (auto e = parse_duration(value, ms, name); !e.empty())
        return e;
    out = std::chrono::duration_cast<std::chrono::seconds>(ms);
    return out.count() > 0 ? std::string{} : std::string(name) + " must be at least one second";
}

std::string parse_rate(std::string_view value, limit_spec& out, std::string_view name)
{
    auto e = parse_limit_spec(value, out);
    return e.empty() ? e : std::string(name) + ": " + e;
}

std::string parse_size(std::string_view value, std::size_t& out, std::string_view name)
{
    if (!parse_number(value, out) || out == 0)
        return std::string(name) + " must be a positive number of bytes";
    return {};
}

} // namespace

const std::vector<setting>& table()
{
    // Help lines that name the compiled-in installed locations; static, as
    // the table keeps views of them.
    static const std::string database_help =
        "sqlite:///path (default sqlite://" + state_dir() + "/chatkit.db) or postgresql://...";
    static const std::string corpus_help =
        "folder of Markdown documentation to answer from (default " + data_dir() + "/docs)";
    static const std::string widget_help = "folder served at /widget/ and / (default " + data_dir() + "/widget)";
    static const std::vector<setting> t{
        {{"CHATKIT_ENV", "--env", "development | production (default development)"},
         [](config&, mode_inputs& m, std::string_view v) -> std::string {
             if (v != "development" && v != "production")
                 return "CHATKIT_ENV must be development or production";
             m.chatkit_env = std::string(v);
             return {};
         }},
        {{"INTEGRATION_TEST_MODE", "--integration-test-mode",
          "the seed's name for the lenient mode: true = development, false = production"},
         [](config&, mode_inputs& m, std::string_view v) -> std::string {
             bool b = false;
             if (auto e = parse_bool(v, b, "INTEGRATION_TEST_MODE"); !e.empty())
                 return e;
             m.integration_test_mode = b;
             return {};
         }},
        {{"BIND", "--bind", "address to listen on (default 127.0.0.1)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.bind = std::string(v);
             return {};
         }},
        {{"ADMIN_BIND", "--admin-bind",
          "host:port of the admin listener (/metrics, /livez, /readyz); off to disable (default 127.0.0.1:9464 in "
          "production, off in development)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             if (v != "off" && !admin_address(v))
                 return "ADMIN_BIND must be host:port (e.g. 127.0.0.1:9464, [::1]:9464) or off";
             c.admin_bind = std::string(v);
             return {};
         }},
        {{"ADMIN_TOKEN", "--admin-token",
          "bearer token the admin listener's insights want, for putting them behind a proxy (default: none)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             if (!v.empty() && v.size() < 32)
                 return "ADMIN_TOKEN must be at least 32 characters, e.g. the output of `openssl rand -base64 32`";
             c.admin_token = std::string(v);
             return {};
         }},
        {{"PORT", "--port", "TCP port (default 8000; 0 picks a free one)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             return parse_number(v, c.port) ? std::string{} : "PORT must be a number from 0 to 65535";
         }},
        {{"THREADS", "--threads", "I/O threads (default: one per core)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             return parse_number(v, c.threads) && c.threads <= 256 ? std::string{}
                                                                   : "THREADS must be a number from 0 to 256";
         }},
        {{"SECRET_KEY", "--secret-key", "key for token hashes; at least 32 random bytes in production"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.secret_key = std::string(v);
             return {};
         }},
        {{"SECRET_KEY_PREVIOUS", "--secret-key-previous", "the key being rotated out; its tokens keep working"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.secret_key_previous = std::string(v);
             return {};
         }},
        {{"DATABASE_URL", "--database-url", database_help},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.database_url = std::string(v);
             return {};
         }},
        {{"CORS_ORIGINS", "--cors-origins", "comma-separated origins allowed to call the API"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.cors_origins = split_list(v);
             return {};
         }},
        {{"TRUSTED_PROXIES", "--trusted-proxies",
          "comma-separated proxy addresses or CIDRs whose X-Forwarded-* is believed"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.trusted_proxies = split_list(v);
             return {};
         }},
        {{"PUBLIC_VERIFY_URL", "--public-verify-url",
          "page that receives #chatkit_verify=<token> (default: the demo page)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.public_verify_url = std::string(v);
             return {};
         }},
        {{"SMTP_URL", "--smtp-url", "smtp://user:pass@host:port, smtps://..., smtp+insecure:// on loopback only"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.smtp_url = std::string(v);
             return {};
         }},
        {{"MAIL_FROM", "--mail-from", "sender address of verification mail"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.mail_from = std::string(v);
             return {};
         }},
        {{"CORPUS_DIR", "--corpus-dir", corpus_help},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.corpus_dir = std::string(v);
             return {};
         }},
        {{"WIDGET_DIR", "--widget-dir", widget_help},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.widget_dir = std::string(v);
             return {};
         }},
        {{"CORPUS_URL_PREFIX", "--corpus-url-prefix", "prefix of source URLs (default /docs/)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.corpus_url_prefix = std::string(v);
             return {};
         }},
        {{"CORPUS_SITE", "--corpus-site",
          "site generator that publishes the corpus: plain, mkdocs or docusaurus (default plain)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             if (v != "plain" && v != "mkdocs" && v != "docusaurus")
                 return "CORPUS_SITE must be plain, mkdocs or docusaurus";
             c.corpus_site = std::string(v);
             return {};
         }},
        {{"CORPUS_RELOAD_INTERVAL", "--corpus-reload-interval",
          "how often CORPUS_DIR is checked for changed files, reloaded when any changed (default 0: on SIGHUP "
          "only)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.corpus_reload_interval, "CORPUS_RELOAD_INTERVAL");
         }},
        {{"BUILTIN_TOKEN_DELAY", "--builtin-token-delay",
          "pause between tokens of the built-in generator (default 15ms)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.builtin_token_delay, "BUILTIN_TOKEN_DELAY");
         }},
        {{"STREAM_PING_INTERVAL", "--stream-ping-interval", "': ping' after this long without an event (default 15s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.stream_ping_interval, "STREAM_PING_INTERVAL");
         }},
        {{"STREAM_IDLE_TIMEOUT", "--stream-idle-timeout",
          "end a stream with an error after this long without an event (default 60s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.stream_idle_timeout, "STREAM_IDLE_TIMEOUT");
         }},
        {{"ANSWER_ABANDON_TIMEOUT", "--answer-abandon-timeout",
          "cancel an answer nobody has listened to for this long (default 60s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.answer_abandon_timeout, "ANSWER_ABANDON_TIMEOUT");
         }},
        {{"LLM_BASE_URL", "--llm-base-url", "OpenAI-compatible endpoint; unset: the built-in generator"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.llm_base_url = std::string(v);
             return {};
         }},
        {{"LLM_MODEL", "--llm-model", "model name sent upstream"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.llm_model = std::string(v);
             return {};
         }},
        {{"LLM_API_KEY", "--llm-api-key", "bearer key for the upstream model"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.llm_api_key = std::string(v);
             return {};
         }},
        {{"LLM_CONNECT_TIMEOUT", "--llm-connect-timeout", "time to connect to the upstream model (default 5s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.llm_connect_timeout, "LLM_CONNECT_TIMEOUT");
         }},
        {{"LLM_MAX_TOKENS", "--llm-max-tokens", "max_tokens asked of the model per answer (default 1024)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::int64_t n = 0;
             if (!parse_number(v, n) || n < 16 || n > 1'000'000)
                 return "LLM_MAX_TOKENS must be a number from 16 to 1000000";
             c.llm_max_tokens = static_cast<int>(n);
             return {};
         }},
        {{"LLM_PROMPT_TOKENS", "--llm-prompt-tokens",
          "estimated tokens of the prompt sent upstream: rules, earlier turns, whole sections, question (default "
          "3000)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::int64_t n = 0;
             if (!parse_number(v, n) || n < 1000 || n > 10'000'000)
                 return "LLM_PROMPT_TOKENS must be a number from 1000 to 10000000";
             c.llm_prompt_tokens = static_cast<std::size_t>(n);
             return {};
         }},
        {{"LLM_MAX_ANSWER_BYTES", "--llm-max-answer-bytes",
          "an answer longer than this ends with an ANSWER_TOO_LONG error event (default 65536)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::int64_t n = 0;
             if (!parse_number(v, n) || n < 1024 || n > 64 * 1024 * 1024)
                 return "LLM_MAX_ANSWER_BYTES must be a number of bytes from 1024 to 67108864";
             c.max_answer_bytes = static_cast<std::size_t>(n);
             return {};
         }},
        {{"LLM_FIRST_TOKEN_TIMEOUT", "--llm-first-token-timeout",
          "time until the upstream's first token (default 20s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.llm_first_token_timeout, "LLM_FIRST_TOKEN_TIMEOUT");
         }},
        {{"EMBEDDINGS_KEEP_UNUSED", "--embeddings-keep-unused",
          "how long cached vectors of text no longer in the corpus are kept (default 1h)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.embeddings_keep_unused, "EMBEDDINGS_KEEP_UNUSED");
         }},
        {{"SUPPORT_URL", "--support-url",
          "where 'Ask a person' leads: https URL with {question} and {conversation_url}, or mailto:"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.support_url = std::string(v);
             return {};
         }},
        {{"EMBEDDINGS_BASE_URL", "--embeddings-base-url",
          "OpenAI-compatible /embeddings endpoint for retrieval by meaning; unset: lexical only"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.embeddings_base_url = std::string(v);
             return {};
         }},
        {{"EMBEDDINGS_MODEL", "--embeddings-model", "embeddings model name"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.embeddings_model = std::string(v);
             return {};
         }},
        {{"EMBEDDINGS_API_KEY", "--embeddings-api-key", "bearer key for the embeddings endpoint"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             c.embeddings_api_key = std::string(v);
             return {};
         }},
        {{"EMBEDDINGS_DIMENSIONS", "--embeddings-dimensions",
          "dimensions asked of the model (models that can shorten their vectors); default: the model's own"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::size_t n = 0;
             if (!parse_number(v, n) || n < 8 || n > 8192)
                 return "EMBEDDINGS_DIMENSIONS must be a number from 8 to 8192";
             c.embeddings_dimensions = n;
             return {};
         }},
        {{"EMBEDDINGS_CONNECT_TIMEOUT", "--embeddings-connect-timeout",
          "time to connect to the embeddings endpoint (default 5s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.embeddings_connect_timeout, "EMBEDDINGS_CONNECT_TIMEOUT");
         }},
        {{"EMBEDDINGS_REQUEST_TIMEOUT", "--embeddings-request-timeout", "time for one batch of sections (default 30s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.embeddings_request_timeout, "EMBEDDINGS_REQUEST_TIMEOUT");
         }},
        {{"EMBEDDINGS_QUESTION_TIMEOUT", "--embeddings-question-timeout",
          "time to embed a question; past it the answer is lexical (default 1500ms)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.embeddings_question_timeout, "EMBEDDINGS_QUESTION_TIMEOUT");
         }},
        {{"EMBEDDINGS_BATCH_SIZE", "--embeddings-batch-size", "sections per embeddings request (default 64)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::size_t n = 0;
             if (!parse_number(v, n) || n < 1 || n > 2048)
                 return "EMBEDDINGS_BATCH_SIZE must be a number from 1 to 2048";
             c.embeddings_batch_size = n;
             return {};
         }},
        {{"EMBEDDINGS_CONCURRENCY", "--embeddings-concurrency", "embeddings requests in flight (default 2)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::size_t n = 0;
             if (!parse_number(v, n) || n < 1 || n > 32)
                 return "EMBEDDINGS_CONCURRENCY must be a number from 1 to 32";
             c.embeddings_concurrency = n;
             return {};
         }},
        {{"EMBEDDINGS_MIN_SIMILARITY", "--embeddings-min-similarity",
          "cosine at which a section answers by meaning alone (default 0.5; depends on the model)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             double x = 0;
             if (!parse_number(v, x) || x < -1 || x > 1)
                 return "EMBEDDINGS_MIN_SIMILARITY must be a number from -1 to 1";
             c.embeddings_min_similarity = x;
             return {};
         }},
        {{"LOG_LEVEL", "--log-level", "trace | debug | info | warn | error (default info)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error")
                 return "LOG_LEVEL must be one of trace, debug, info, warn, error";
             c.log_level = std::string(v);
             return {};
         }},
        {{"LOG_FORMAT", "--log-format", "text | json (default text)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             if (v != "text" && v != "json")
                 return "LOG_FORMAT must be text or json";
             c.log_format = std::string(v);
             return {};
         }},
        {{"HEADER_TIMEOUT", "--header-timeout", "time to receive a request head (default 10s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.header_timeout, "HEADER_TIMEOUT");
         }},
        {{"BODY_TIMEOUT", "--body-timeout", "time to receive a request body (default 30s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.body_timeout, "BODY_TIMEOUT");
         }},
        {{"IDLE_TIMEOUT", "--idle-timeout", "keep-alive idle time between requests (default 60s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.idle_timeout, "IDLE_TIMEOUT");
         }},
        {{"WRITE_TIMEOUT", "--write-timeout", "time a client may take to accept one write (default 30s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.write_timeout, "WRITE_TIMEOUT");
         }},
        {{"DRAIN_TIMEOUT", "--drain-timeout",
          "on SIGTERM, how long open requests and streams may finish (default 30s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.drain_timeout, "DRAIN_TIMEOUT");
         }},
        {{"MAX_HEADER_BYTES", "--max-header-bytes", "request head limit, 431 above (default 8192)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_size(v, c.max_header_bytes, "MAX_HEADER_BYTES");
         }},
        {{"MAX_BODY_BYTES", "--max-body-bytes", "default request body limit, 413 above (default 65536)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_size(v, c.max_body_bytes, "MAX_BODY_BYTES");
         }},
        {{"MAX_JSON_DEPTH", "--max-json-depth", "JSON nesting limit (default 32)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_size(v, c.max_json_depth, "MAX_JSON_DEPTH");
         }},
        {{"DB_STATEMENT_TIMEOUT", "--db-statement-timeout",
          "bound on one query (PostgreSQL statement_timeout, SQLite busy timeout; default 5s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.db_statement_timeout, "DB_STATEMENT_TIMEOUT");
         }},
        {{"DB_POOL", "--db-pool", "PostgreSQL connections (default 4)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             return parse_number(v, c.db_pool) && c.db_pool > 0 && c.db_pool <= 64
                        ? std::string{}
                        : "DB_POOL must be a number from 1 to 64";
         }},
        {{"VERIFY_TOKEN_TTL", "--verify-token-ttl", "lifetime of a verification link (default 10 minutes: 600s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.verify_token_ttl, "VERIFY_TOKEN_TTL");
         }},
        {{"SESSION_IDLE_TIMEOUT", "--session-idle-timeout",
          "a session unused this long expires (default 24 h: 86400s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.session_idle_timeout, "SESSION_IDLE_TIMEOUT");
         }},
        {{"SESSION_LIFETIME", "--session-lifetime", "absolute session lifetime (default 30 days: 2592000s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.session_lifetime, "SESSION_LIFETIME");
         }},
        {{"RATE_ANONYMOUS", "--rate-anonymous", "chat limit per anonymous session (default 10/minute,500/day)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.anonymous, "RATE_ANONYMOUS");
         }},
        {{"RATE_ANONYMOUS_IP", "--rate-anonymous-ip",
          "anonymous chat limit aggregated per client IP (default 10/minute,500/day)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.anonymous_ip, "RATE_ANONYMOUS_IP");
         }},
        {{"RATE_LIGHTWEIGHT", "--rate-lightweight", "chat limit of verified users (default 30/minute)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.lightweight, "RATE_LIGHTWEIGHT");
         }},
        {{"RATE_FULL", "--rate-full", "chat limit of the full tier (default 100/minute)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.full, "RATE_FULL");
         }},
        {{"RATE_PREMIUM", "--rate-premium", "chat limit of the premium tier (default unlimited)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.premium, "RATE_PREMIUM");
         }},
        {{"RATE_SAVE_CHAT", "--rate-save-chat", "saved chats per user (default 5/minute)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.save_chat, "RATE_SAVE_CHAT");
         }},
        {{"RATE_PERSONALIZE", "--rate-personalize", "personalization requests per user (default 3/minute)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.personalize, "RATE_PERSONALIZE");
         }},
        {{"RATE_VERIFY_EMAIL_ADDRESS", "--rate-verify-email-address",
          "verification mails per address (default 3/hour)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.verify_email_address, "RATE_VERIFY_EMAIL_ADDRESS");
         }},
        {{"RATE_VERIFY_EMAIL_IP", "--rate-verify-email-ip", "verification mails per client IP (default 10/hour)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.verify_email_ip, "RATE_VERIFY_EMAIL_IP");
         }},
        {{"RATE_ANONYMOUS_SESSIONS_IP", "--rate-anonymous-sessions-ip",
          "anonymous sessions started per client IP (default 60/minute)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.anonymous_sessions_ip, "RATE_ANONYMOUS_SESSIONS_IP");
         }},
        {{"MAX_CONNECTIONS", "--max-connections",
          "open client connections at most; more wait in the listen backlog (default: descriptor limit less 256)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             std::int64_t n = 0;
             if (!parse_number(v, n) || n < 1)
                 return "MAX_CONNECTIONS must be a positive number, e.g. 10000";
             c.max_connections = static_cast<std::size_t>(n);
             return {};
         }},
        {{"RETENTION_ANONYMOUS_CHATS", "--retention-anonymous-chats",
          "keep anonymous conversations this long after their last message (default 30d)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.retention.anonymous_chats, "RETENTION_ANONYMOUS_CHATS");
         }},
        {{"RETENTION_STREAMS", "--retention-streams", "keep finished answers' journals this long (default 1h)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.retention.finished_streams, "RETENTION_STREAMS");
         }},
        {{"RETENTION_SESSIONS", "--retention-sessions",
          "keep ended sessions and used or expired sign-in links this long (default 7d)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.retention.ended_sessions, "RETENTION_SESSIONS");
         }},
        {{"RETENTION_MAIL", "--retention-mail", "keep sent or failed outbox rows this long (default 7d)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.retention.sent_mail, "RETENTION_MAIL");
         }},
        {{"RETENTION_ANALYTICS", "--retention-analytics", "keep analytics events this long (default 90d)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.retention.analytics, "RETENTION_ANALYTICS");
         }},
        {{"RETENTION_INTERVAL", "--retention-interval", "how often a pruning pass runs (default 60s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_duration(v, c.retention.interval, "RETENTION_INTERVAL");
         }},
        {{"INSTANCE_LEASE", "--instance-lease",
          "an instance silent this long counts as dead; others end its unfinished answers (default 30s)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.instance_lease, "INSTANCE_LEASE");
         }},
        {{"IPV6_LIMIT_PREFIX", "--ipv6-limit-prefix",
          "per-IP limits count an IPv6 client by its first N bits (default 64, 128 for the address alone)"},
         [](config& c, mode_inputs&, std::string_view v) -> std::string {
             unsigned n = 0;
             auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
             if (ec != std::errc{} || end != v.data() + v.size() || n < 32 || n > 128)
                 return "IPV6_LIMIT_PREFIX must be a number of bits from 32 to 128, e.g. 64";
             c.ipv6_limit_prefix = n;
             return {};
         }},
        {{"RATE_RESUME", "--rate-resume", "stream resumes per client (default 60/minute, counted per instance)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.resume, "RATE_RESUME");
         }},
        {{"SHARE_LINK_LIFETIME", "--share-link-lifetime",
          "a shared conversation's read-only link opens this long after it was made (default 30d)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_seconds(v, c.share_link_lifetime, "SHARE_LINK_LIFETIME");
         }},
        {{"RATE_SHARED_PAGE", "--rate-shared-page",
          "views of shared conversations (/c/<id>) per client IP (default 60/minute, counted per instance)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.shared_page, "RATE_SHARED_PAGE");
         }},
        {{"RATE_SAVED_CHAT_BYTES", "--rate-saved-chat-bytes",
          "bytes of saved chats per user (default 2000000/minute, counted per instance)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.saved_chat_bytes, "RATE_SAVED_CHAT_BYTES");
         }},
        {{"RATE_ANALYTICS", "--rate-analytics",
          "analytics events per client: token, else IP (default 60/minute; a batch counts each event)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_rate(v, c.rates.analytics, "RATE_ANALYTICS");
         }},
        {{"TEST_ROUTES", "--test-routes", "mount /api/v1/test/* (never in production)"},
         [](config& c, mode_inputs&, std::string_view v) {
             return parse_bool(v, c.test_routes, "TEST_ROUTES");
         }},
    };
    return t;
}

std::optional<listen_address> admin_address(std::string_view text)
{
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return std::nullopt;
    auto host = text.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']'))
        host = host.substr(1, host.size() - 2);
    listen_address out{std::string(host), 0};
    if (!parse_number(text.substr(colon + 1), out.port))
        return std::nullopt;
    boost::system::error_code ec;
    boost::asio::ip::make_address(out.host, ec);
    if (ec)
        return std::nullopt;
    return out;
}

} // namespace chatkit::config
