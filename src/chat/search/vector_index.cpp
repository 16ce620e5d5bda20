#include "chatkit/chat/search/vector_index.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace chatkit::chat {

namespace {

// Integer products summed in 32 bits: 127 * 127 * 4096 dimensions fits, and
// the loop is one the compiler turns into packed multiply-adds. The scan is
// bound by them, not by memory: on x86-64 an AVX2 copy is chosen at load
// time where the processor has it (twice the width of the baseline SSE2).
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
std::int32_t
dot(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
    return sum;
}

} // namespace

quantized_vector quantize(std::span<const float> v)
{
    double norm = 0;
    float largest = 0;
    for (float x : v) {
        norm += static_cast<double>(x) * x;
        largest = std::max(largest, std::abs(x));
    }
    quantized_vector out;
    out.codes.assign(v.size(), 0);
    if (norm <= 0 || largest <= 0)
        return out; // a zero vector is near nothing
    const double unit = 1 / std::sqrt(norm);
    const double step = largest * unit / 127;
    for (std::size_t i = 0; i < v.size(); ++i)
        out.codes[i] = static_cast<std::int8_t>(std::lround(v[i] * unit / step));
    out.scale = static_cast<float>(step);
    return out;
}

void vector_index::push_back(const quantized_vector& v)
{
    if (v.codes.size() != dimensions_)
        throw std::invalid_argument("vector of the wrong dimensions");
    codes_.insert(codes_.end(), v.codes.begin(), v.codes.end());
    scales_.push_back(v.scale);
}

std::vector<std::pair<std::uint32_t, float>> vector_index::nearest(std::span<const float> query, std::size_t k) const
{
    if (query.size() != dimensions_)
        throw std::invalid_argument("query of the wrong dimensions");
    auto q = quantize(query);
    std::vector<std::pair<std::uint32_t, float>> best;
    if (q.scale == 0 || k == 0)
        return best;
    best.reserve(k + 1);
    auto worse = [](const auto& a, const auto& b) {
        return a.second > b.second;
    };
    for (std::size_t i = 0; i < scales_.size(); ++i) {
        float cosine = static_cast<float>(dot(q.codes.data(), codes_.data() + i * dimensions_, dimensions_)) * q.scale *
                       scales_[i];
        if (best.size() == k && cosine <= best.front().second)
            continue;
        best.emplace_back(static_cast<std::uint32_t>(i), cosine);
        std::push_heap(best.begin(), best.end(), worse);
        if (best.size() > k) {
            std::pop_heap(best.begin(), best.end(), worse);
            best.pop_back();
        }
    }
    std::sort_heap(best.begin(), best.end(), worse);
    return best;
}

} // namespace chatkit::chat
