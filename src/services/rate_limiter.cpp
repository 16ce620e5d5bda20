#include "chatkit/services/rate_limiter.hpp"

#include "chatkit/store/db.hpp"
#include "chatkit/store/rate_limit_repo.hpp"
#include "chatkit/util/time.hpp"

namespace chatkit::services {

boost::asio::awaitable<std::optional<limit_exceeded>> rate_limiter::hit(const std::vector<limit_check>& checks)
{
    auto now = util::now_seconds();
    struct counted {
        const limit_check* check;
        const window_limit* limit;
        long long window_start;
        long long count;
    };
    std::vector<counted> rows;
    for (const auto& c : checks)
        for (const auto& w : *c.spec)
            rows.push_back({&c, &w, now - now % w.window.count(), 0});
    if (rows.empty())
        co_return std::nullopt;

    co_await db_.write([&](soci::session& s) {
        for (auto& r : rows)
            r.count = store::rate_limit_repo::hit(s, r.check->bucket + "/" + r.limit->unit, r.window_start);
    });

    std::optional<limit_exceeded> worst;
    for (const auto& r : rows) {
        if (r.count <= r.limit->max)
            continue;
        auto retry = r.window_start + r.limit->window.count() - now;
        if (!worst || retry > worst->retry_after)
            worst = limit_exceeded{std::max(1LL, retry), std::to_string(r.limit->max) + " requests per " +
                                                             r.limit->unit + " (" + r.check->description + ")"};
    }
    co_return worst;
}

} // namespace chatkit::services
