#pragma once

#include "chatkit/obs/histogram.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace chatkit::obs {

// The upstream model as an operator watches it: requests by how they ended
// and the class of the status the model answered, time to first token,
// duration, bytes and tokens received. Rendered into /metrics.
class upstream_metrics {
public:
    enum class outcome { ok, error, timeout, cancelled };

    upstream_metrics();

    // `status` is the HTTP status of the model's response, 0 when none came.
    void finished(outcome how, unsigned status, std::chrono::steady_clock::duration took);
    void first_token(std::chrono::steady_clock::duration after);
    void received(std::size_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
    void token() { tokens_.fetch_add(1, std::memory_order_relaxed); }

    void append(std::string& out) const;

private:
    static constexpr std::size_t outcomes = 4;
    static constexpr std::size_t classes = 5; // none, 2xx, 3xx, 4xx, 5xx
    std::array<std::array<std::atomic<std::uint64_t>, classes>, outcomes> requests_{};
    histogram first_token_;
    histogram duration_;
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> tokens_{0};
};

// One request to the model, however it ends: destroyed before finish() (a
// coroutine torn down with its executor) it counts as cancelled. A null
// registry records nothing.
class upstream_call {
public:
    explicit upstream_call(upstream_metrics* metrics) : metrics_(metrics) {}
    ~upstream_call();
    upstream_call(const upstream_call&) = delete;
    upstream_call& operator=(const upstream_call&) = delete;

    void answered(unsigned status) { status_ = status; }
    // A response head arrived: from then on a failure is the upstream's.
    [[nodiscard]] bool answered() const { return status_ != 0; }
    void received(std::size_t bytes);
    void token();
    void finish(upstream_metrics::outcome how);

private:
    upstream_metrics* metrics_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    unsigned status_ = 0;
    bool first_ = true;
    bool finished_ = false;
};

} // namespace chatkit::obs
