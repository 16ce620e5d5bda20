#pragma once

#include <string>
#include <string_view>

namespace chatkit::obs {

enum class log_format { text, json };

// Installs the process-wide spdlog logger: stderr, UTC timestamps, one line
// per record. Control characters in messages are escaped (log injection), and
// in json format each line is one JSON object.
void setup_logging(std::string_view level, log_format format);

// Flushes and stops the background writer; call before exit.
void shutdown_logging();

// Escapes control and non-ASCII bytes as \xNN so a client-chosen string
// cannot forge a log line or smuggle terminal escapes.
[[nodiscard]] std::string sanitize(std::string_view text, std::size_t max_length = 512);

} // namespace chatkit::obs
