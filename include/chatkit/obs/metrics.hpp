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
#include <vector>

namespace chatkit::obs {

// Request counters and latency histograms, sharded by thread so the request
// path takes an uncontended lock; render() merges the shards.
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
    struct histogram {
        std::array<std::uint64_t, buckets.size()> counts{};
        std::uint64_t total = 0;
        double sum = 0;
    };
    struct shard {
        mutable std::mutex mutex;
        std::map<std::string, std::uint64_t, std::less<>> requests; // method \0 route \0 status
        std::map<std::string, histogram, std::less<>> latency;      // method \0 route
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

    std::vector<std::unique_ptr<shard>> shards_;
    std::atomic<std::int64_t> open_streams_{0};
    mutable std::mutex extra_mutex_;
    std::vector<std::unique_ptr<named_counter>> counters_;
    std::vector<named_gauge> gauges_;
    std::vector<std::function<void(std::string&)>> collectors_;
};

} // namespace chatkit::obs
