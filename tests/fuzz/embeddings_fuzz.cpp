// An embeddings endpoint's answer, whatever it is: the parser either returns
// exactly the vectors asked for, each of the asked length and finite, or
// refuses.
#include "chatkit/chat/embed/embeddings_parser.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    const std::size_t count = 1 + data[0] % 4;
    const std::size_t dimensions = data[1] % 8; // 0: whatever the first vector has
    std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
    try {
        auto vectors = chatkit::chat::parse_embeddings(body, count, dimensions);
        if (vectors.size() != count)
            std::abort();
        for (const auto& v : vectors) {
            if (v.empty() || v.size() != vectors.front().size() || (dimensions && v.size() != dimensions))
                std::abort();
            for (float x : v)
                if (!std::isfinite(x))
                    std::abort();
        }
    } catch (const std::runtime_error&) {
        // Refused: the expected outcome for most inputs.
    }
    return 0;
}
