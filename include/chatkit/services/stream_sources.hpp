#pragma once

#include "chatkit/chat/stream/answer_stream.hpp"
#include "chatkit/http/reply.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <string>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

struct stream_timing {
    std::chrono::milliseconds ping{15'000}; // ": ping" after this long without an event
    std::chrono::milliseconds idle{60'000}; // then an error event ends the stream
    std::chrono::milliseconds poll{250};    // replay from the database: how often to look
    // A resume of an answer no instance has recorded yet (one that started
    // on another instance an instant ago; the journal writes in batches of
    // 100 ms) looks again for this long before it says "no such answer".
    std::chrono::milliseconds unknown_wait{1'000};
};

// A listener on an answer this instance is producing: frames after
// `after_seq`, then live ones as they are appended.
std::shared_ptr<http::event_source> live_listener(std::shared_ptr<chat::answer_stream> stream, long long after_seq,
                                                  stream_timing timing);

// A listener on an answer recorded in the database (produced by another
// instance, or by this one earlier): frames after `after_seq`, then whatever
// the producer records next, until its final frame.
std::shared_ptr<http::event_source> replay_listener(store::db_executor& db, std::string message_id, long long after_seq,
                                                    stream_timing timing);

// The frame that ends a stream that went quiet for too long.
[[nodiscard]] std::string idle_error_frame(const std::string& message_id, long long seq);

} // namespace chatkit::services
