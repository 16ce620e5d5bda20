#include "chatkit/config/limit_spec.hpp"

#include <charconv>

namespace chatkit::config {

std::string parse_limit_spec(std::string_view text, limit_spec& out)
{
    out.clear();
    if (text == "unlimited")
        return {};
    constexpr std::string_view usage =
        "expected a list like 10/minute,500/day (units: second, minute, hour, day) or unlimited";
    std::size_t start = 0;
    for (bool more = true; more;) {
        auto end = text.find(',', start);
        more = end != std::string_view::npos;
        auto item = text.substr(start, more ? end - start : std::string_view::npos);
        start = more ? end + 1 : text.size();
        auto slash = item.find('/');
        long long max = 0;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + (slash == std::string_view::npos ? 0 : slash), max);
        auto unit = slash == std::string_view::npos ? std::string_view() : item.substr(slash + 1);
        std::chrono::seconds window{0};
        if (unit == "second")
            window = std::chrono::seconds(1);
        else if (unit == "minute")
            window = std::chrono::seconds(60);
        else if (unit == "hour")
            window = std::chrono::seconds(3600);
        else if (unit == "day")
            window = std::chrono::seconds(86400);
        if (ec != std::errc{} || max <= 0 || window.count() == 0)
            return std::string(usage);
        out.push_back({max, window, std::string(unit)});
    }
    return {};
}

} // namespace chatkit::config
