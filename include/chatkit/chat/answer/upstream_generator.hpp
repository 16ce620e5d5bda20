#pragma once

#include "chatkit/chat/answer/generator.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace chatkit::obs {
class upstream_call;
class upstream_metrics;
} // namespace chatkit::obs

namespace chatkit::chat {

struct upstream_connection;
class upstream_pool;
class upstream_target;

struct upstream_settings {
    std::string base_url; // http(s)://host[:port]/prefix, e.g. https://api.example.com/v1
    std::string model;
    std::string api_key;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds first_token_timeout{20000};
    std::chrono::milliseconds idle_timeout{30000};
    int max_tokens = 1024; // sent as max_tokens: the model stops there
    // Estimated tokens of the prompt (upstream_prompt.hpp): with max_tokens,
    // within the model's context window. The default fits a 4096-token
    // window, the smallest common among local servers.
    std::size_t prompt_tokens = 3000;
    obs::upstream_metrics* metrics = nullptr; // counts every request when set
};

// Any OpenAI-compatible /chat/completions endpoint, streamed. The retrieved
// sections go in whole, within a token budget, as numbered, delimited data
// (upstream_prompt.hpp), under a system prompt that tells the model to
// answer only from them and to treat everything inside them and the question
// as data, never as instructions. A citation of a source the model was not
// given is removed from the tokens before they reach the reader. When the
// answer is cancelled or abandoned, the coroutine unwinds and the upstream
// connection closes at once: no more tokens are paid for. A connection whose
// response was read to its end is kept alive for the next answer; one the
// upstream closed while idle is replaced before anything was answered on it.
class upstream_generator final : public generator {
public:
    // Throws std::invalid_argument for a URL it cannot use.
    explicit upstream_generator(upstream_settings settings);
    ~upstream_generator() override;

    [[nodiscard]] std::string model() const override { return settings_.model; }
    [[nodiscard]] bool reads_conversation() const override { return true; }
    boost::asio::awaitable<void> generate(const grounding& g, const token_sink& emit) override;
    void release() override;
    // Idle keep-alive connections held now (for /metrics).
    [[nodiscard]] std::size_t idle_connections() const;

    // The JSON body sent upstream (exposed for tests).
    [[nodiscard]] std::string request_body(const grounding& g) const;

private:
    using connection_ptr = std::unique_ptr<upstream_connection>;
    [[nodiscard]] std::string body_of(boost::json::array messages) const;
    // Sends one request and streams its answer; a connection whose response
    // ends cleanly goes back to the pool. `call` learns the response status
    // once a head arrived: from then on a failure is the upstream's, not a
    // stale connection's.
    template <class Stream>
    boost::asio::awaitable<void> exchange(Stream& stream, connection_ptr& connection, const std::string& body,
                                          const std::string& request_id, const token_sink& emit,
                                          obs::upstream_call& call);
    // Reads what is left of a response after [DONE], then pools the connection.
    template <class Stream, class Parser>
    boost::asio::awaitable<void> finish(Stream& stream, connection_ptr connection, std::unique_ptr<Parser> parser);

    upstream_settings settings_;
    std::unique_ptr<upstream_target> target_;
    std::unique_ptr<upstream_pool> pool_;
};

} // namespace chatkit::chat
