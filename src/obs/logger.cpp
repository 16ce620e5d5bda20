#include "chatkit/obs/logger.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace chatkit::obs {

namespace {

void append(spdlog::memory_buf_t& dest, std::string_view s)
{
    dest.append(s.data(), s.data() + s.size());
}

// %& : the message with control characters escaped.
class safe_message_flag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override
    {
        append(dest, sanitize({msg.payload.data(), msg.payload.size()}, 8192));
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<safe_message_flag>();
    }
};

// %& in json format: the message as a JSON string literal, quotes included.
class json_message_flag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override
    {
        static constexpr char hex[] = "0123456789abcdef";
        dest.push_back('"');
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\') {
                dest.push_back('\\');
                dest.push_back(ch);
            } else if (c < 0x20 || c == 0x7f) {
                append(dest, "\\u00");
                dest.push_back(hex[c >> 4]);
                dest.push_back(hex[c & 15]);
            } else {
                dest.push_back(ch);
            }
        }
        dest.push_back('"');
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<json_message_flag>();
    }
};

} // namespace

std::string sanitize(std::string_view text, std::size_t max_length)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(std::min(text.size(), max_length));
    for (char ch : text) {
        if (out.size() >= max_length) {
            out += "...";
            break;
        }
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

void setup_logging(std::string_view level, log_format format)
{
    // One background writer: request threads only enqueue, so a slow stderr
    // (a pipe, a journal) never stalls request handling. Blocking on overflow
    // keeps every line rather than dropping audit records.
    spdlog::init_thread_pool(16384, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::async_logger>("chatkit", sink, spdlog::thread_pool(),
                                                         spdlog::async_overflow_policy::block);
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    if (format == log_format::json) {
        formatter->add_flag<json_message_flag>('&').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%&})");
    } else {
        formatter->add_flag<safe_message_flag>('&').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %&");
    }
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

void shutdown_logging()
{
    spdlog::shutdown();
}

} // namespace chatkit::obs
