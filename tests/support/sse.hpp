#pragma once

#include "http_client.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>

#include <optional>
#include <string>
#include <vector>

namespace chatkit::test {

struct sse_event {
    std::string id;
    std::string event; // empty for a comment (": ping")
    boost::json::value data;
    std::string comment;
};

// Reads SSE frames from a chunked response body on `c` (after read_head).
class sse_reader {
public:
    explicit sse_reader(connection& c) : c_(c) {}
    // The next frame; nullopt when the body ended or nothing came in time.
    std::optional<sse_event> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    [[nodiscard]] bool ended() const { return ended_; }

private:
    connection& c_;
    std::string pending_;
    bool ended_ = false;
};

// Opens a stream request and returns the connection positioned after the head.
struct open_stream {
    std::unique_ptr<connection> conn;
    response head;
};
open_stream start_stream(std::uint16_t port, const std::string& method, const std::string& path,
                         const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers);

// The events of an answer stream up to done or error (comments skipped), the
// concatenated token text, and whether the stream ended.
struct collected {
    std::vector<sse_event> events;
    std::string text;
    bool ended = false;
};
collected read_all(sse_reader& r, std::size_t max = 100000);

// Asks `question` as a stream, reads its first `events` events and drops the
// connection: what a client that lost its network mid-answer has seen.
// Throws when the stream ends sooner.
struct partial_answer {
    std::string text;    // the tokens among those events
    std::string last_id; // "<message id>:<seq>", for Last-Event-ID
    [[nodiscard]] std::string message_id() const { return last_id.substr(0, last_id.find(':')); }
};
partial_answer read_then_drop(std::uint16_t port, const std::string& question, int events);

// A chat request body: {"message": ..., "context": ...}.
std::string ask(const std::string& message, boost::json::object context = {});

// Reads until the stream's final event (done or error) and returns it;
// nullopt when none came within `timeout`. Counts tokens into `tokens`.
std::optional<sse_event> final_event(sse_reader& reader, std::chrono::milliseconds timeout, int* tokens = nullptr);

} // namespace chatkit::test
