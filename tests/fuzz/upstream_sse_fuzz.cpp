// The upstream model's SSE stream as it arrives: in chunks split anywhere.
#include "chatkit/chat/answer/upstream_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::size_t step = 1 + data[0] % 64;
    chatkit::chat::upstream_parser parser;
    try {
        for (std::size_t at = 0; at < bytes.size() && !parser.done(); at += step)
            static_cast<void>(parser.feed(bytes.substr(at, step)));
    } catch (const std::runtime_error&) {
        // A malformed stream is refused: that is the expected outcome.
    }
    return 0;
}
