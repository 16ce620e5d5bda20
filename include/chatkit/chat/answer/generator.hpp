#pragma once

#include "chatkit/chat/search/retriever.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <vector>

namespace chatkit::chat {

// One earlier question of the conversation and the answer it got.
struct turn {
    std::string question;
    std::string answer;
};

struct grounding {
    std::string question;
    std::string mode;            // browse | chat
    std::string selected_text;   // chat mode: what the reader selected, used first
    std::vector<hit> sources;    // best first, at most 5; only sections that answer
    bool streamed = true;        // false: the whole answer is awaited (POST /chat), so nothing is paced
    std::vector<turn> earlier;   // the conversation's last finished turns, oldest first
    std::string request_id = {}; // the asking request's, passed on to the model (X-Request-ID)
};

// Receives each token as soon as it exists. It may suspend (the stream
// records and flushes it) and throws when the answer must stop.
using token_sink = std::function<boost::asio::awaitable<void>(std::string token)>;

// One interface for every way of producing an answer. generate() returns
// once the answer is complete; it is cancelled through the awaiting
// coroutine's cancellation slot (cancel endpoint, abandonment), and must then
// stop at once, closing whatever it holds open (an upstream request).
class generator {
public:
    virtual ~generator() = default;
    [[nodiscard]] virtual std::string model() const = 0;
    virtual boost::asio::awaitable<void> generate(const grounding& g, const token_sink& emit) = 0;
    // Whether answers read the conversation's earlier turns (grounding::earlier).
    [[nodiscard]] virtual bool reads_conversation() const { return false; }
    // Lets go of what is kept between answers (idle upstream connections);
    // called once the I/O threads have stopped, before their contexts go.
    virtual void release() {}
};

} // namespace chatkit::chat
