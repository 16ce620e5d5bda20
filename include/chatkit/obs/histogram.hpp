#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::obs {

// One unlabelled Prometheus histogram for events much rarer than requests
// (upstream answers): a plain mutex is cheap at that rate.
class histogram {
public:
    // `bounds` ascending; +Inf is implied.
    explicit histogram(std::vector<double> bounds);

    void observe(double value);
    // The _bucket, _sum and _count lines of the family `name` (its HELP and
    // TYPE are the caller's).
    void append(std::string& out, std::string_view name) const;

private:
    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> counts_; // per bound, not cumulative
    std::uint64_t total_ = 0;
    double sum_ = 0;
};

} // namespace chatkit::obs
