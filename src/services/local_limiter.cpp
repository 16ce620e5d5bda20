#include "chatkit/services/local_limiter.hpp"

#include "chatkit/util/time.hpp"

#include <algorithm>

namespace chatkit::services {

std::optional<local_limiter::refusal> local_limiter::admit(const std::string& key, long long n,
                                                           const config::limit_spec& spec, std::string_view what)
{
    if (spec.empty())
        return std::nullopt;
    auto now = util::now_seconds();
    long long longest = 0;
    for (const auto& w : spec)
        longest = std::max<long long>(longest, w.window.count());
    std::lock_guard lock(mutex_);
    if (now - last_sweep_ >= 60) {
        std::erase_if(counters_, [&](const auto& entry) { return now - entry.second.last_seen >= longest; });
        last_sweep_ = now;
    }
    auto& c = counters_[key];
    c.last_seen = now;
    c.windows.resize(spec.size());
    for (std::size_t i = 0; i < spec.size(); ++i) {
        auto start = now - now % spec[i].window.count();
        auto& [window_start, count] = c.windows[i];
        if (window_start != start)
            window_start = start, count = 0;
        if (count + n > spec[i].max)
            return refusal{window_start + spec[i].window.count() - now,
                           std::to_string(spec[i].max) + " " + std::string(what) + " per " + spec[i].unit};
    }
    for (auto& w : c.windows)
        w.second += n;
    return std::nullopt;
}

} // namespace chatkit::services
