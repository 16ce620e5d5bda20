#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace chatkit::obs {

// Request counters and latency histograms, one shard per thread that
// observes: the request path writes its own thread's counters without a lock
// or an atomic read-modify-write, and render() sums the shards at scrape
// time.
class metrics_registry {
public:
    metrics_registry();

    // `route` is a pattern (bounded); the method and status are folded to
    // a bounded set here.
    void observe_request(std::string_view method, std::string_view route, unsigned status,
                         std::chrono::nanoseconds latency);
    // The method's label: itself when standard, "OTHER" otherwise.
    [[nodiscard]] static std::string_view method_label(std::string_view method);
    void stream_opened() { open_streams_.fetch_add(1, std::memory_order_relaxed); }
    void stream_closed() { open_streams_.fetch_sub(1, std::memory_order_relaxed); }

    // A monotonically increasing counter owned by another module
    // (rate-limit hits, mail sent, ...). The returned reference lives as long
    // as the registry.
    std::atomic<std::uint64_t>& counter(std::string name, std::string help);
    // A value read at scrape time (outbox depth, pool usage, ...).
    void gauge(std::string name, std::string help, std::function<double()> read);
    // Families a module renders itself (labelled counters, histograms),
    // appended at scrape time with their HELP and TYPE lines.
    void collector(std::function<void(std::string&)> append);

    // Prometheus text exposition format 0.0.4.
    [[nodiscard]] std::string render() const;

    static constexpr std::array<double, 12> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

private:
    // Counts per bucket, not cumulative (one increment per request); the
    // last bucket is above every bound. Written by the shard's thread only.
    struct live_histogram {
        std::array<std::atomic<std::uint64_t>, buckets.size() + 1> counts{};
        std::atomic<double> sum{0};
    };
    struct shard {
        std::thread::id owner;
        // Guards the maps' shape: the owner inserts under it and render()
        // reads under it; the owner's lookups and counter updates need none.
        mutable std::mutex mutex;
        std::map<std::string, std::atomic<std::uint64_t>, std::less<>> requests; // method \0 route \0 status
        std::map<std::string, live_histogram, std::less<>> latency;              // method \0 route
        // The owner's last series, found again without building its key.
        std::string_view last_method;
        std::string last_route;
        unsigned last_status = 0;
        std::atomic<std::uint64_t>* last_count = nullptr;
        live_histogram* last_latency = nullptr;
    };
    struct named_counter {
        std::string name, help;
        std::atomic<std::uint64_t> value{0};
    };
    struct named_gauge {
        std::string name, help;
        std::function<double()> read;
    };

    [[nodiscard]] shard& local_shard();

    std::uint64_t id_; // tells registries apart in each thread's shard cache
    mutable std::mutex shards_mutex_;
    std::vector<std::unique_ptr<shard>> shards_;
    std::atomic<std::int64_t> open_streams_{0};
    mutable std::mutex extra_mutex_;
    std::vector<std::unique_ptr<named_counter>> counters_;
    std::vector<named_gauge> gauges_;
    std::vector<std::function<void(std::string&)>> collectors_;
};

} // namespace chatkit::obs
