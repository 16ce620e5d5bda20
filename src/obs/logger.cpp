#include "chatkit/obs/logger.hpp"

#include <fmt/compile.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <iterator>
#include <mutex>

namespace chatkit::obs {

namespace {

void append(spdlog::memory_buf_t& dest, std::string_view s)
{
    dest.append(s.data(), s.data() + s.size());
}

void append(std::string& dest, std::string_view s)
{
    dest.append(s);
}

log_format current_format = log_format::text;

// A JSON string's content for any bytes: valid UTF-8 passes, invalid bytes
// become U+FFFD, so every line stays parseable.
void append_json_escaped(std::string_view text, spdlog::memory_buf_t& dest)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            dest.push_back('\\');
            dest.push_back(static_cast<char>(c));
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            append(dest, "\\u00");
            dest.push_back(hex[c >> 4]);
            dest.push_back(hex[c & 15]);
            ++i;
        } else if (c < 0x80) {
            dest.push_back(static_cast<char>(c));
            ++i;
        } else {
            std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            bool whole = n != 0 && i + n <= text.size();
            for (std::size_t k = 1; whole && k < n; ++k)
                whole = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
            if (whole) {
                append(dest, text.substr(i, n));
                i += n;
            } else {
                append(dest, "\\ufffd");
                ++i;
            }
        }
    }
}

// One record per line: `2026-11-28T01:02:03.456Z info message` in text,
// `{"time":"...","level":"info","msg":"..."}` in json. Written by hand, not
// with spdlog's pattern, because the access line is logged for every request
// and the pattern's per-flag formatters were most of its cost. Called under
// the sink's mutex, so the per-second cache needs no lock of its own.
class line_formatter final : public spdlog::formatter {
public:
    explicit line_formatter(log_format format) : format_(format) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override
    {
        auto level_name = spdlog::level::to_string_view(msg.level);
        std::string_view level(level_name.data(), level_name.size());
        std::string_view text(msg.payload.data(), msg.payload.size());
        if (format_ == log_format::json) {
            append(dest, R"({"time":")");
            append_time(msg.time, dest);
            append(dest, R"(","level":")");
            append(dest, level);
            append(dest, R"(","msg":")");
            append_json_escaped(text, dest);
            append(dest, "\"}\n");
            return;
        }
        append_time(msg.time, dest);
        dest.push_back(' ');
        append(dest, level);
        dest.push_back(' ');
        if (text.size() <= 8192 && !needs_escape(text))
            append(dest, text); // the common case: nothing to escape, no copy
        else
            append(dest, sanitize(text, 8192));
        dest.push_back('\n');
    }

    // The access line, escaped by log_access already: in text the line
    // itself, in json the members of the record.
    void format_access(spdlog::log_clock::time_point t, std::string_view text, std::string& dest)
    {
        if (format_ == log_format::json) {
            append(dest, R"({"time":")");
            append_time(t, dest);
            append(dest, R"(","level":"info","msg":"access",)");
            append(dest, text);
            append(dest, "}\n");
            return;
        }
        append_time(t, dest);
        append(dest, " info ");
        append(dest, text);
        dest.push_back('\n');
    }

    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override
    {
        return std::make_unique<line_formatter>(format_);
    }

private:
    // UTC, millisecond precision; everything up to the seconds is reused
    // within the same second.
    template <class Buffer> void append_time(spdlog::log_clock::time_point t, Buffer& dest)
    {
        auto since = t.time_since_epoch();
        auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
        if (seconds.count() != cached_second_) {
            cached_second_ = seconds.count();
            std::time_t tt = cached_second_;
            std::tm tm{};
            gmtime_r(&tt, &tm);
            cached_prefix_ = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", tm.tm_year + 1900, tm.tm_mon + 1,
                                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        append(dest, cached_prefix_);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds).count();
        const char digits[] = {char('0' + ms / 100), char('0' + ms / 10 % 10), char('0' + ms % 10), 'Z'};
        append(dest, std::string_view(digits, sizeof digits));
    }

    log_format format_;
    std::int64_t cached_second_ = -1;
    std::string cached_prefix_;
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

    // One access line per request: formatted straight into the buffer under
    // the sink's lock, without building spdlog's record and formatting the
    // line a second time into a scratch buffer.
    void append_access(std::string_view text)
    {
        auto now = spdlog::log_clock::now();
        std::lock_guard lock(mutex_);
        static_cast<line_formatter&>(*formatter_).format_access(now, text, buffer_);
        if (buffer_.size() >= capacity)
            write_out();
    }

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

// What sanitize() escapes; needs_escape() tests the same eight bytes at a
// time.
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

std::string clip(std::string_view text, std::size_t max_length)
{
    if (text.size() <= max_length)
        return std::string(text);
    return std::string(text.substr(0, max_length)) + "...";
}

bool needs_escape(std::string_view text)
{
    // Every log line is checked, the access line's fields for every request:
    // eight bytes at a time with the usual SWAR tests.
    constexpr std::uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    auto any_escaped = [](std::uint64_t x) {
        auto low7 = x & ~high;
        auto control = (x - ones * 0x20) & ~x & high; // a byte below 0x20
        auto upper = (x | (low7 + ones)) & high;      // a byte of 0x7f or above
        auto slash = x ^ (ones * '\\');
        auto backslash = (slash - ones) & ~slash & high;
        return (control | upper | backslash) != 0;
    };
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t x;
        std::memcpy(&x, text.data() + i, 8);
        if (any_escaped(x))
            return true;
    }
    if (i == text.size())
        return false;
    // The tail (all of a method or a short path) as one more word, padded
    // with spaces, which never need escaping.
    std::uint64_t x = ones * ' ';
    std::memcpy(&x, text.data() + i, text.size() - i);
    return any_escaped(x);
}

namespace {

// Ours, when the default logger is the one setup_logging() installed (tests
// install their own): access lines then go to its sink directly.
spdlog::logger* our_logger = nullptr;
buffered_stderr_sink* our_sink = nullptr;

} // namespace

void setup_logging(std::string_view level, log_format format)
{
    current_format = format;
    auto sink = std::make_shared<buffered_stderr_sink>();
    auto logger = std::make_shared<spdlog::logger>("chatkit", sink);
    logger->set_formatter(std::make_unique<line_formatter>(format));
    our_logger = logger.get();
    our_sink = sink.get();
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
    our_logger = nullptr;
    our_sink = nullptr;
    spdlog::shutdown();
}

void log_access(const access_record& r)
{
    auto* logger = spdlog::default_logger_raw();
    if (!logger->should_log(spdlog::level::info))
        return;
    // Milliseconds with three decimals, printed as integers: float
    // formatting was the costliest part of the line.
    auto ms = r.duration_us / 1000, frac = r.duration_us % 1000;
    // Formatted here with formats compiled at build time, then handed to the
    // logger as finished text: the line is written for every request.
    spdlog::memory_buf_t text;
    if (current_format == log_format::json) {
        auto string_field = [&](std::string_view name, std::string_view value) {
            text.push_back('"');
            append(text, name);
            append(text, R"(":")");
            append_json_escaped(value, text);
            append(text, "\",");
        };
        string_field("method", r.method.substr(0, 16));
        string_field("path", r.path.substr(0, 256));
        string_field("route", r.route);
        fmt::format_to(std::back_inserter(text), FMT_COMPILE(R"("status":{},"bytes":{},"duration_ms":{}.{:03},)"),
                       r.status, r.bytes, ms, frac);
        string_field("request_id", r.request_id);
        if (!r.message_id.empty())
            string_field("message_id", r.message_id);
        string_field("client_ip", r.client_ip);
        text.resize(text.size() - 1); // the last comma
    } else {
        // Escaped here, field by field, only when a field holds something to
        // escape: the line then skips the formatter's check of every byte.
        auto safe = [](std::string_view s, std::size_t max, std::string& storage) -> std::string_view {
            if (s.size() <= max && !needs_escape(s))
                return s;
            storage = sanitize(s, max);
            return storage;
        };
        std::string method_storage, path_storage, id_storage, answer_storage;
        fmt::format_to(std::back_inserter(text), FMT_COMPILE("access {} {} {} {}B {}.{:03}ms rid={}"),
                       safe(r.method, 16, method_storage), safe(r.path, 256, path_storage), r.status, r.bytes, ms, frac,
                       safe(r.request_id, 128, id_storage));
        if (!r.message_id.empty())
            fmt::format_to(std::back_inserter(text), FMT_COMPILE(" answer={}"), safe(r.message_id, 64, answer_storage));
    }
    std::string_view line(text.data(), text.size());
    if (logger == our_logger)
        our_sink->append_access(line);
    else
        logger->info(line);
}

} // namespace chatkit::obs
