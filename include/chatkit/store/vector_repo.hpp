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

// How many vectors of this model and dimensions are cached.
long long count(soci::session& s, const std::string& model, long long dimensions);
// Every cached vector of this model and dimensions.
std::vector<vector_row> load(soci::session& s, const std::string& model, long long dimensions);
// Adds vectors; one already there (another instance's) is kept.
void insert(soci::session& s, const std::string& model, long long dimensions, const std::vector<vector_row>& rows,
            long long now);
// Deletes the vectors made before `made_before` (Unix seconds) that are
// not this model's for these hashes: sections that left the corpus, and
// what another model or dimension setting made.
int remove_others(soci::session& s, const std::string& model, long long dimensions,
                  const std::unordered_set<std::string>& keep, long long made_before);

} // namespace chatkit::store::vector_repo
