#pragma once

#include <string>
#include <unordered_set>
#include <vector>

namespace soci {
class session;
}

// The cache of section vectors (migrations/*/0007_section_vectors.sql).
namespace chatkit::store::vector_repo {

struct vector_row {
    std::string text_hash;
    double scale = 0;
    std::string codes; // base64 of the signed bytes
};

// Every cached vector of this model and dimensions.
std::vector<vector_row> load(soci::session& s, const std::string& model, long long dimensions);
// Adds vectors; one already there (another instance's) is kept.
void insert(soci::session& s, const std::string& model, long long dimensions, const std::vector<vector_row>& rows,
            long long now);
// Deletes every vector but this model's for these hashes: sections that
// left the corpus, and what an earlier model or dimension setting made.
int remove_others(soci::session& s, const std::string& model, long long dimensions,
                  const std::unordered_set<std::string>& keep);

} // namespace chatkit::store::vector_repo
