#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace chatkit::chat {

// One vector as stored: normalised to unit length, then each component
// rounded to a signed byte of `scale` (component ≈ code * scale). A quarter
// of float32's memory and bandwidth; cosine changes by well under 0.01.
struct quantized_vector {
    std::vector<std::int8_t> codes;
    float scale = 0;
};
[[nodiscard]] quantized_vector quantize(std::span<const float> v);

// Exact cosine search over a corpus's section vectors, held in one
// contiguous block of bytes (section i's are codes_[i * dimensions ...]) so a
// scan streams through memory and the compiler vectorises the dot product.
// Built once per corpus and shared read-only.
class vector_index {
public:
    explicit vector_index(std::size_t dimensions) : dimensions_(dimensions) {}
    void reserve(std::size_t sections)
    {
        codes_.reserve(sections * dimensions_);
        scales_.reserve(sections);
    }
    // Appends the next section's vector; sections go in corpus order.
    void push_back(const quantized_vector& v);

    // The `k` nearest sections to `query` (any length-`dimensions` vector,
    // not necessarily normalised): (section index, cosine), best first.
    [[nodiscard]] std::vector<std::pair<std::uint32_t, float>> nearest(std::span<const float> query,
                                                                       std::size_t k) const;

    [[nodiscard]] std::size_t size() const { return scales_.size(); }
    [[nodiscard]] std::size_t dimensions() const { return dimensions_; }
    [[nodiscard]] std::size_t memory_bytes() const { return codes_.capacity() + scales_.capacity() * sizeof(float); }

private:
    std::size_t dimensions_;
    std::vector<std::int8_t> codes_;
    std::vector<float> scales_;
};

} // namespace chatkit::chat
