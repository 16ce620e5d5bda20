#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace chatkit::chat {

class upstream_target;

struct embeddings_settings {
    std::string base_url; // OpenAI-compatible, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1
    std::string model;
    std::string api_key;
    std::size_t dimensions = 0; // asked of the model when set; 0: the model's own
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds request_timeout{30000}; // one batch of sections
    std::chrono::milliseconds question_timeout{1500}; // a reader's question: past it, the answer is lexical
    std::size_t batch_size = 64;
    std::size_t concurrency = 2; // batches in flight
    double min_similarity = 0.5; // hybrid.hpp, meaning::min_similarity
    // Cached vectors of text no longer in the corpus, or of another model,
    // are deleted once this old: long enough for every instance to have
    // loaded the corpus and settings they belong to.
    std::chrono::seconds keep_unused{3600};
};

// A failed request: `retryable` for what a later try may not meet (429, a
// 5xx, a connection or a deadline); not for a refusal (another 4xx) or a
// response that is not a valid answer to it.
struct embeddings_error : std::runtime_error {
    embeddings_error(const std::string& what, bool may_retry, unsigned http_status = 0)
        : std::runtime_error(what), retryable(may_retry), status(http_status)
    {
    }
    bool retryable;
    unsigned status; // the endpoint's HTTP status, 0 when none came
    // The endpoint refused what was sent (400, 413, 422: an input past the
    // model's length, often), not the request as such.
    [[nodiscard]] bool input_refused() const { return status == 400 || status == 413 || status == 422; }
};

// A client of any OpenAI-compatible /embeddings endpoint (OpenAI, Azure,
// Ollama, llama.cpp's server, TEI, vLLM): one connection per request, no
// streaming. The key goes in the Authorization header and nowhere else.
class embeddings_client {
public:
    // Throws std::invalid_argument for a URL it cannot use.
    explicit embeddings_client(embeddings_settings settings);
    ~embeddings_client();

    // One vector per text, in their order, each of the same length:
    // `dimensions`, else the configured ones, else whatever the first has.
    // `timeout` covers connecting (after the first resolution, whose answer
    // is kept), sending and reading. Throws embeddings_error.
    boost::asio::awaitable<std::vector<std::vector<float>>>
    embed(const std::vector<std::string>& texts, std::chrono::milliseconds timeout, std::size_t dimensions = 0);
    [[nodiscard]] const embeddings_settings& settings() const { return settings_; }
    // The JSON body of a request (exposed for tests).
    [[nodiscard]] std::string request_body(const std::vector<std::string>& texts) const;

private:
    embeddings_settings settings_;
    std::unique_ptr<upstream_target> target_;
};

} // namespace chatkit::chat
