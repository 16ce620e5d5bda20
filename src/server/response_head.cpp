#include "response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <charconv>

namespace chatkit::server {

namespace {

void append_clean(std::string& out, std::string_view text)
{
    // Almost always there is nothing to drop: one scan, one copy.
    if (text.find('\r') == std::string_view::npos && text.find('\n') == std::string_view::npos) {
        out.append(text);
        return;
    }
    for (char c : text)
        if (c != '\r' && c != '\n')
            out += c;
}

void append_number(std::string& out, std::size_t n, int base = 10)
{
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n, base);
    out.append(digits, end);
}

} // namespace

std::string serialize_head(const http::header_list& headers, const head_options& options)
{
    std::string out;
    out.reserve(512);
    out += options.version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
    append_number(out, options.status);
    out += ' ';
    out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(options.status));
    out += "\r\n";
    for (const auto& field : headers) {
        append_clean(out, field.name);
        out += ": ";
        append_clean(out, field.value);
        out += "\r\n";
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
