#include "chatkit/obs/histogram.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chatkit::obs {

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size(), 0) {}

void histogram::observe(double value)
{
    auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
    std::lock_guard lock(mutex_);
    if (bucket < counts_.size())
        ++counts_[bucket];
    ++total_;
    sum_ += value;
}

void histogram::append(std::string& out, std::string_view name) const
{
    std::lock_guard lock(mutex_);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bounds_[i], cumulative);
    }
    out += fmt::format("{0}_bucket{{le=\"+Inf\"}} {1}\n{0}_sum {2}\n{0}_count {1}\n", name, total_, sum_);
}

} // namespace chatkit::obs
