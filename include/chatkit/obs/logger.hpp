#pragma once

#include <string>
#include <string_view>

namespace chatkit::obs {

enum class log_format { text, json };

// Installs the process-wide spdlog logger: stderr, UTC timestamps, one line
// per record, buffered (flushed on warnings, when full, and every second). Control characters in messages are escaped
// (log injection), and in json format each line is one JSON object.
void setup_logging(std::string_view level, log_format format);

// Writes out what is buffered now (after a line someone is waiting for).
void flush_logs();

// Flushes and stops the periodic flusher; call before exit.
void shutdown_logging();

// Escapes control and non-ASCII bytes as \xNN so a client-chosen string
// cannot forge a log line or smuggle terminal escapes.
[[nodiscard]] std::string sanitize(std::string_view text, std::size_t max_length = 512);

// `text` cut to `max_length` bytes for a log message, marked "..." when
// cut. Not escaped: every message is escaped once, where it is written.
[[nodiscard]] std::string clip(std::string_view text, std::size_t max_length = 512);

// Whether sanitize() would change `text` (beyond truncation).
[[nodiscard]] bool needs_escape(std::string_view text);

// One served request, for the access line: `access GET /path 200 75B
// 0.123ms rid=...` in text; in json, fields of the record itself.
struct access_record {
    std::string_view method;
    std::string_view path;
    std::string_view route; // the matched pattern
    unsigned status = 0;
    std::size_t bytes = 0;
    long long duration_us = 0;
    std::string_view request_id;
    std::string_view client_ip;
    std::string_view message_id; // the answer a stream carried; empty: none
};
void log_access(const access_record& r);

} // namespace chatkit::obs
