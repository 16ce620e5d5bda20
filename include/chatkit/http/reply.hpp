#pragma once

#include "chatkit/http/headers.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chatkit::http {

// The producer side of a streamed body (SSE). next() yields the next chunk,
// already framed, as soon as it exists (several frames when several exist,
// so a burst goes out in one write); nullopt ends the stream. The session
// flushes every chunk before asking for the next one, so a slow client slows
// the producer instead of growing a buffer.
class event_source {
public:
    virtual ~event_source() = default;
    virtual boost::asio::awaitable<std::optional<std::string>> next() = 0;
    // What exists already, without waiting (nullopt: nothing yet). The
    // session sends it with the response head, in the same write.
    virtual std::optional<std::string> ready() { return std::nullopt; }
    // The session wrote `chunk` (from next() or ready()) to the client.
    virtual void sent(std::string_view /*chunk*/) {}
};

struct reply {
    unsigned status = 200;
    header_list headers;
    std::string body;
    // When set, the body is streamed from here with chunked encoding; the
    // headers above still pass back through every middleware first.
    std::shared_ptr<event_source> stream;
    // The connection is closed after this reply (the request broke a limit
    // and its remaining bytes cannot be trusted).
    bool close = false;

    [[nodiscard]] std::size_t size() const { return body.size(); }
};

} // namespace chatkit::http
