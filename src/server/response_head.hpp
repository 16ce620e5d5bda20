#pragma once

#include "chatkit/http/headers.hpp"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace chatkit::server {

struct head_options {
    unsigned status = 200;
    unsigned version = 11;
    bool keep_alive = true;
    // Exactly one of these frames the body: a length, or chunked encoding
    // (neither: the body runs until the connection closes).
    std::optional<std::size_t> content_length;
    bool chunked = false;
};

// Serializes a response head into one buffer, so a whole reply goes out in
// a single gather write. Beast's serializer walks a nested buffer view per
// field, which costs more than the rest of a small request together.
// CR and LF inside names or values are dropped: no header can be split.
[[nodiscard]] std::string serialize_head(const http::header_list& headers, const head_options& options);

// `now` as an HTTP date (IMF-fixdate, RFC 9110 §5.6.7): every reply carries
// one, since an origin server with a clock must send it (§6.6.1).
[[nodiscard]] std::string_view http_date(std::time_t now);

// The framing of one chunk's size line and its trailing CRLF.
[[nodiscard]] std::string chunk_prefix(std::size_t size);
inline constexpr std::string_view chunk_suffix = "\r\n";
inline constexpr std::string_view last_chunk = "0\r\n\r\n";

} // namespace chatkit::server
