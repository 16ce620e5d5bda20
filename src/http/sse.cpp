#include "chatkit/http/sse.hpp"

namespace chatkit::http {

namespace {

void append_line_safe(std::string& out, std::string_view text)
{
    for (char c : text)
        if (c != '\n' && c != '\r')
            out += c;
}

} // namespace

std::string sse_fields(std::string_view event, std::string_view data)
{
    std::string out;
    out.reserve(event.size() + data.size() + 18);
    out += "event: ";
    append_line_safe(out, event);
    out += "\ndata: ";
    append_line_safe(out, data);
    out += "\n\n";
    return out;
}

std::string sse_event(std::string_view id, std::string_view event, std::string_view data)
{
    std::string out = "id: ";
    append_line_safe(out, id);
    out += '\n';
    out += sse_fields(event, data);
    return out;
}

std::string sse_comment(std::string_view text)
{
    std::string out = ": ";
    append_line_safe(out, text);
    out += "\n\n";
    return out;
}

} // namespace chatkit::http
