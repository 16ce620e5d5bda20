#pragma once

#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/vector_index.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatkit::bench {

// The benchmark's retrieval by meaning, configured as the server is
// (EMBEDDINGS_* in the environment) and through the same code: the
// section_vectors service, its batches and its cache, kept in a SQLite file
// (EMBEDDINGS_CACHE, default ~/.cache/chatkit-bench-vectors.db) so a second
// run asks the model only for the questions.
class meaning_source {
public:
    // Null when EMBEDDINGS_BASE_URL is unset; throws when the settings are
    // wrong or the corpus cannot be embedded.
    static std::unique_ptr<meaning_source> from_environment(std::shared_ptr<const chat::retriever> index);
    ~meaning_source();

    [[nodiscard]] const chat::vector_index& vectors() const;
    [[nodiscard]] double min_similarity() const;
    [[nodiscard]] std::string model() const;
    // The question's vector; nullopt when the endpoint failed.
    [[nodiscard]] std::optional<std::vector<float>> embed(const std::string& question);

private:
    struct impl;
    explicit meaning_source(std::unique_ptr<impl> i);
    std::unique_ptr<impl> impl_;
};

} // namespace chatkit::bench
