#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chatkit::chat {

// Incremental parser of an OpenAI-compatible streaming body: SSE lines
// (LF or CRLF) of `data: {json}` and a final `data: [DONE]`. Bytes may arrive
// split anywhere, including inside a multi-byte UTF-8 character; a line is
// decoded only once it is complete. Each chunk's choices[0].delta.content is
// one token.
class upstream_parser {
public:
    // Tokens completed by these bytes. Throws std::runtime_error for a data
    // line that is not the expected JSON, or when a line grows past 1 MiB.
    std::vector<std::string> feed(std::string_view bytes);
    [[nodiscard]] bool done() const { return done_; }

private:
    void line(std::string_view text, std::vector<std::string>& out);

    std::string partial_;
    bool done_ = false;
};

} // namespace chatkit::chat
