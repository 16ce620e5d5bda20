#include "chatkit/obs/metrics.hpp"

#include "chatkit/obs/process_metrics.hpp"
#include "chatkit/version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace chatkit::obs {

namespace {

// Label values come from route patterns and method names we accept, but an
// escape keeps the exposition valid whatever reaches it.
std::string label(std::string_view v)
{
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

} // namespace

metrics_registry::metrics_registry()
{
    static std::atomic<std::uint64_t> next_id{1};
    id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

metrics_registry::shard& metrics_registry::local_shard()
{
    // One registry in the server; tests make more, and a thread that moves
    // between them finds its shard again instead of making another.
    struct cached {
        std::uint64_t registry = 0;
        shard* s = nullptr;
    };
    thread_local cached cache;
    if (cache.registry == id_)
        return *cache.s;
    std::lock_guard lock(shards_mutex_);
    auto me = std::this_thread::get_id();
    auto it = std::find_if(shards_.begin(), shards_.end(), [&](const auto& s) { return s->owner == me; });
    if (it == shards_.end()) {
        shards_.push_back(std::make_unique<shard>());
        shards_.back()->owner = me;
        it = std::prev(shards_.end());
    }
    cache = {id_, it->get()};
    return **it;
}

std::string_view metrics_registry::method_label(std::string_view method)
{
    // A client chooses the method token: any other becomes one label, so
    // nobody can grow the series without bound.
    for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
        if (method == known)
            return known;
    return "OTHER";
}

void metrics_registry::observe_request(std::string_view method, std::string_view route, unsigned status,
                                       std::chrono::nanoseconds latency)
{
    method = method_label(method);
    if (status < 100 || status > 599)
        status = 0;
    auto& s = local_shard();
    // method_label() returns one of its own literals, so the pointer says
    // which; the route is compared by value, it is a view of the request's.
    if (s.last_count == nullptr || s.last_method.data() != method.data() || s.last_status != status ||
        s.last_route != route) {
        std::string key;
        key.reserve(method.size() + route.size() + 6);
        key.append(method).push_back('\0');
        key.append(route);
        auto latency_key_size = key.size();
        key.push_back('\0');
        key.append(std::to_string(status));
        auto count = s.requests.find(key);
        auto histogram = s.latency.find(std::string_view(key).substr(0, latency_key_size));
        if (count == s.requests.end() || histogram == s.latency.end()) {
            std::lock_guard lock(s.mutex);
            count = s.requests.try_emplace(key).first;
            histogram = s.latency.try_emplace(key.substr(0, latency_key_size)).first;
        }
        s.last_method = method;
        s.last_route.assign(route);
        s.last_status = status;
        s.last_count = &count->second;
        s.last_latency = &histogram->second;
    }
    // This thread is the only writer: a load and a store, no locked add.
    auto bump = [](std::atomic<std::uint64_t>& c) {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    };
    bump(*s.last_count);
    double seconds = std::chrono::duration<double>(latency).count();
    auto& h = *s.last_latency;
    auto bucket = std::size_t(std::lower_bound(buckets.begin(), buckets.end(), seconds) - buckets.begin());
    bump(h.counts[bucket]);
    h.sum.store(h.sum.load(std::memory_order_relaxed) + seconds, std::memory_order_relaxed);
}

std::atomic<std::uint64_t>& metrics_registry::counter(std::string name, std::string help)
{
    std::lock_guard lock(extra_mutex_);
    auto c = std::make_unique<named_counter>();
    c->name = std::move(name);
    c->help = std::move(help);
    counters_.push_back(std::move(c));
    return counters_.back()->value;
}

void metrics_registry::gauge(std::string name, std::string help, std::function<double()> read)
{
    std::lock_guard lock(extra_mutex_);
    gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void metrics_registry::collector(std::function<void(std::string&)> append)
{
    std::lock_guard lock(extra_mutex_);
    collectors_.push_back(std::move(append));
}

std::string metrics_registry::render() const
{
    struct histogram {
        std::array<std::uint64_t, buckets.size()> counts{}; // cumulative, as exposed
        std::uint64_t total = 0;
        double sum = 0;
    };
    std::map<std::string, std::uint64_t> requests;
    std::map<std::string, histogram> latency;
    {
        std::lock_guard shards_lock(shards_mutex_);
        for (const auto& s : shards_) {
            std::lock_guard lock(s->mutex);
            for (const auto& [k, v] : s->requests)
                requests[k] += v.load(std::memory_order_relaxed);
            for (const auto& [k, h] : s->latency) {
                auto& merged = latency[k];
                std::uint64_t below = 0;
                for (std::size_t i = 0; i < buckets.size(); ++i) {
                    below += h.counts[i].load(std::memory_order_relaxed);
                    merged.counts[i] += below;
                }
                merged.total += below + h.counts[buckets.size()].load(std::memory_order_relaxed);
                merged.sum += h.sum.load(std::memory_order_relaxed);
            }
        }
    }

    std::string out;
    out += "# HELP chatkit_http_requests_total HTTP requests by method, route and status.\n"
           "# TYPE chatkit_http_requests_total counter\n";
    for (const auto& [k, v] : requests) {
        auto a = k.find('\0');
        auto b = k.find('\0', a + 1);
        out += fmt::format("chatkit_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                           label(k.substr(0, a)), label(k.substr(a + 1, b - a - 1)), k.substr(b + 1), v);
    }
    out += "# HELP chatkit_http_request_duration_seconds Time from request head to reply head.\n"
           "# TYPE chatkit_http_request_duration_seconds histogram\n";
    for (const auto& [k, h] : latency) {
        auto a = k.find('\0');
        auto labels = fmt::format("method=\"{}\",route=\"{}\"", label(k.substr(0, a)), label(k.substr(a + 1)));
        for (std::size_t i = 0; i < buckets.size(); ++i)
            out += fmt::format("chatkit_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, buckets[i],
                               h.counts[i]);
        out += fmt::format("chatkit_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.total);
        out += fmt::format("chatkit_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
        out += fmt::format("chatkit_http_request_duration_seconds_count{{{}}} {}\n", labels, h.total);
    }
    out += fmt::format("# HELP chatkit_sse_open_streams Event streams being written now.\n"
                       "# TYPE chatkit_sse_open_streams gauge\n"
                       "chatkit_sse_open_streams {}\n",
                       open_streams_.load(std::memory_order_relaxed));

    std::lock_guard lock(extra_mutex_);
    for (const auto& c : counters_)
        out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", c->name, c->help,
                           c->value.load(std::memory_order_relaxed));
    for (const auto& g : gauges_)
        out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", g.name, g.help, g.read());
    for (const auto& append : collectors_)
        append(out);
    out += fmt::format("# HELP chatkit_build_info The running version (always 1).\n"
                       "# TYPE chatkit_build_info gauge\n"
                       "chatkit_build_info{{version=\"{}\"}} 1\n",
                       label(version()));
    append_process_metrics(out);
    return out;
}

} // namespace chatkit::obs
