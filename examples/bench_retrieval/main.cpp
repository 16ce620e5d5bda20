// Retrieval latency over a synthetic corpus of a given size: builds the
// BM25 index, then times typical questions.
//
//   chatkit-bench-retrieval [megabytes=10] [queries=2000]
#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/retriever.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    const std::size_t megabytes = argc > 1 ? std::stoul(argv[1]) : 10;
    const int queries = argc > 2 ? std::stoi(argv[2]) : 2000;
    std::mt19937 rng(42);
    // A vocabulary with a Zipf-like spread, as prose has.
    std::vector<std::string> vocabulary;
    for (int i = 0; i < 20000; ++i)
        vocabulary.push_back("term" + std::to_string(i));
    std::vector<double> weights;
    for (int i = 1; i <= 20000; ++i)
        weights.push_back(1.0 / i);
    std::discrete_distribution<int> word(weights.begin(), weights.end());

    auto corpus = std::make_shared<chatkit::chat::corpus>();
    std::size_t bytes = 0;
    for (int doc = 0; bytes < megabytes * 1024 * 1024; ++doc) {
        std::string md = "# Document " + std::to_string(doc) + "\n\n";
        for (int sec = 0; sec < 5; ++sec) {
            md += "## Section " + std::to_string(sec) + " " + vocabulary[static_cast<std::size_t>(word(rng))] + "\n\n";
            for (int w = 0; w < 300; ++w)
                md += vocabulary[static_cast<std::size_t>(word(rng))] + (w % 15 == 14 ? ". " : " ");
            md += "\n\n";
        }
        bytes += md.size();
        corpus->add("doc" + std::to_string(doc) + ".md", md, {});
    }
    auto built = std::chrono::steady_clock::now();
    chatkit::chat::retriever index(corpus);
    auto indexed = std::chrono::steady_clock::now();

    std::vector<double> times;
    for (int q = 0; q < queries; ++q) {
        std::string question = "how do I configure";
        for (int w = 0; w < 4; ++w)
            question += " " + vocabulary[static_cast<std::size_t>(word(rng))];
        auto t0 = std::chrono::steady_clock::now();
        auto hits = index.search(question, 5);
        auto t1 = std::chrono::steady_clock::now();
        times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        if (hits.size() > 5)
            return 1;
    }
    std::sort(times.begin(), times.end());
    std::printf("corpus %.1f MiB, %zu sections, indexed in %.0f ms\n", static_cast<double>(bytes) / 1048576.0,
                index.sections().size(), std::chrono::duration<double, std::milli>(indexed - built).count());
    std::printf("search (top 5) over %d questions: p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", queries,
                times[times.size() / 2], times[times.size() * 99 / 100], times.back());
    return 0;
}
