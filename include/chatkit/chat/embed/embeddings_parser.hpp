#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace chatkit::chat {

// The body of an OpenAI-compatible /embeddings response:
// {"data": [{"index": 0, "embedding": [0.1, ...]}, ...]}. Entries may come in
// any order; `index` puts them back. Throws std::runtime_error, with a
// message fit for the log (never the body), when the body is not that shape,
// holds another number of vectors than `count`, a vector whose length is not
// `dimensions` (0: whatever the first one has, the same for all), or a
// component that is not a finite number.
[[nodiscard]] std::vector<std::vector<float>> parse_embeddings(std::string_view body, std::size_t count,
                                                               std::size_t dimensions);

} // namespace chatkit::chat
