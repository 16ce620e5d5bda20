#include "response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace chatkit::server {

namespace {

void append_clean(std::string& out, std::string_view text)
{
    for (char c : text)
        if (c != '\r' && c != '\n')
            out += c;
}

std::size_t count_of(std::string_view text, char c)
{
    std::size_t n = 0;
    for (auto at = text.find(c); at != std::string_view::npos; at = text.find(c, at + 1))
        ++n;
    return n;
}

void append_number(std::string& out, std::size_t n, int base = 10)
{
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n, base);
    out.append(digits, end);
}

void append_fields(std::string& out, const http::header_list& headers, bool clean)
{
    if (clean) {
        for (const auto& field : headers) {
            append_clean(out, field.name);
            out += ": ";
            append_clean(out, field.value);
            out += "\r\n";
        }
        return;
    }
    // Every reply passes here: one resize and a copy per piece, rather than
    // four appends per field that each check the capacity.
    std::size_t size = 0;
    for (const auto& field : headers)
        size += field.name.size() + field.value.size() + 4;
    auto start = out.size();
    out.resize(start + size);
    char* at = out.data() + start;
    auto put = [&at](std::string_view text) {
        std::memcpy(at, text.data(), text.size());
        at += text.size();
    };
    for (const auto& field : headers) {
        put(field.name);
        put(": ");
        put(field.value);
        put("\r\n");
    }
}

} // namespace

std::string_view http_date(std::time_t now)
{
    // Formatted once a second per thread: every reply carries it.
    thread_local std::time_t cached = -1;
    thread_local char text[32];
    if (now != cached) {
        static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        std::tm t{};
        ::gmtime_r(&now, &t);
        std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[t.tm_wday], t.tm_mday,
                      months[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
        cached = now;
    }
    return text;
}

std::string serialize_head(const http::header_list& headers, const head_options& options)
{
    std::string out;
    out.reserve(512);
    out += options.version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
    append_number(out, options.status);
    out += ' ';
    out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(options.status));
    out += "\r\nDate: ";
    out += http_date(std::time(nullptr));
    out += "\r\n";
    // Names and values come from this server's code and are almost never
    // dirty: append them whole, then count line ends. One CR and one LF per
    // field means nothing inside a field could split it; otherwise the
    // fields are written again with CR and LF dropped.
    auto start = out.size();
    append_fields(out, headers, false);
    auto lines = std::size_t(std::distance(headers.begin(), headers.end()));
    std::string_view fields = std::string_view(out).substr(start);
    if (count_of(fields, '\n') != lines || count_of(fields, '\r') != lines) {
        out.resize(start);
        append_fields(out, headers, true);
    }
    if (options.chunked)
        out += "Transfer-Encoding: chunked\r\n";
    else if (options.content_length) {
        out += "Content-Length: ";
        append_number(out, *options.content_length);
        out += "\r\n";
    }
    if (!options.keep_alive)
        out += "Connection: close\r\n";
    else if (options.version < 11)
        out += "Connection: keep-alive\r\n";
    out += "\r\n";
    return out;
}

std::string chunk_prefix(std::size_t size)
{
    std::string out;
    append_number(out, size, 16);
    out += "\r\n";
    return out;
}

} // namespace chatkit::server
