#include "chatkit/obs/logger.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <mutex>

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
        std::string_view text(msg.payload.data(), msg.payload.size());
        if (text.size() <= 8192 && !needs_escape(text))
            append(dest, text); // the common case: nothing to escape, no copy
        else
            append(dest, sanitize(text, 8192));
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

// Formats on the caller's thread into a buffer and writes it with one
// write(2) when it fills, on warnings, and once a second. An async logger
// would cost a futex wake-up per line, which at tens of thousands of
// requests per second is most of a core; this costs a memcpy.
class buffered_stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    buffered_stderr_sink() { buffer_.reserve(capacity); }
    ~buffered_stderr_sink() override { write_out(); }
    buffered_stderr_sink(const buffered_stderr_sink&) = delete;
    buffered_stderr_sink& operator=(const buffered_stderr_sink&) = delete;

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        buffer_.append(formatted.data(), formatted.size());
        if (buffer_.size() >= capacity)
            write_out();
    }
    void flush_() override { write_out(); }

private:
    static constexpr std::size_t capacity = 64 * 1024;

    void write_out()
    {
        std::string_view rest = buffer_;
        while (!rest.empty()) {
            auto n = ::write(STDERR_FILENO, rest.data(), rest.size());
            if (n <= 0)
                break;
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        buffer_.clear();
    }

    std::string buffer_;
};

// The one rule both sanitize() and needs_escape() apply.
bool escaped(char ch)
{
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c >= 0x7f || c == '\\';
}

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
        if (escaped(ch)) {
            auto c = static_cast<unsigned char>(ch);
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

bool needs_escape(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), escaped);
}

void setup_logging(std::string_view level, log_format format)
{
    auto logger = std::make_shared<spdlog::logger>("chatkit", std::make_shared<buffered_stderr_sink>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    if (format == log_format::json) {
        formatter->add_flag<json_message_flag>('&').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%&})");
    } else {
        formatter->add_flag<safe_message_flag>('&').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %&");
    }
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs()
{
    spdlog::default_logger()->flush();
}

void shutdown_logging()
{
    spdlog::shutdown();
}

} // namespace chatkit::obs
