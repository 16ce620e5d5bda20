// Exact vector search's cost, whatever the model: random unit vectors of
// `dimensions`, `sections` of them, and the time of one nearest(20) query,
// on one core. Prints p50/p99 and the index's memory.
//
//   build/examples/chatkit-bench-vectors [sections=50000] [dimensions=768] [queries=2000]
#include "chatkit/chat/search/vector_index.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

int main(int argc, char** argv)
{
    const std::size_t sections = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 50'000;
    const std::size_t dimensions = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 768;
    const std::size_t queries = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2000;
    std::mt19937 random(42);
    std::normal_distribution<float> normal;
    std::vector<float> v(dimensions);
    chatkit::chat::vector_index index(dimensions);
    index.reserve(sections);
    for (std::size_t i = 0; i < sections; ++i) {
        for (auto& x : v)
            x = normal(random);
        index.push_back(chatkit::chat::quantize(v));
    }
    std::vector<double> ms;
    std::size_t checksum = 0;
    for (std::size_t q = 0; q < queries; ++q) {
        for (auto& x : v)
            x = normal(random);
        auto start = std::chrono::steady_clock::now();
        auto best = index.nearest(v, 20);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        checksum += best.front().first;
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double p) {
        return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))];
    };
    std::printf("vectors: %zu sections x %zu dimensions, %zu queries (checksum %zu)\n", sections, dimensions, queries,
                checksum);
    std::printf("search_ms p50 %.3f p99 %.3f max %.3f\n", at(0.5), at(0.99), ms.back());
    std::printf("memory: %.1f MB, %.1f MB per 10,000 sections\n", static_cast<double>(index.memory_bytes()) / 1e6,
                static_cast<double>(index.memory_bytes()) / 1e6 * 10'000 / static_cast<double>(sections));
    return 0;
}
