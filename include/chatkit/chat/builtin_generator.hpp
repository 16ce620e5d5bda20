#pragma once

#include "chatkit/chat/generator.hpp"

#include <chrono>

namespace chatkit::chat {

// The default generator: no network, no model. It answers with the sentences
// of the retrieved passages (and of the reader's selection first, in chat
// mode) that share the most words with the question, in document order,
// each followed by its source number, and streams them word by word. When
// nothing relevant was retrieved it says so instead of inventing.
class builtin_generator final : public generator {
public:
    // `pace`: pause between tokens, so a stream looks like one (0 for none).
    explicit builtin_generator(std::chrono::milliseconds pace) : pace_(pace) {}

    [[nodiscard]] std::string model() const override { return "chatkit-extractive-1"; }
    boost::asio::awaitable<void> generate(const grounding& g, const token_sink& emit) override;

    // The full answer text, without streaming (unit tests, /chat).
    [[nodiscard]] static std::string compose(const grounding& g);

    // Below this normalised score a passage is not evidence.
    static constexpr double min_relevance = 0.12;

private:
    std::chrono::milliseconds pace_;
};

// Splits text into word-sized tokens that concatenate back to it exactly
// (each token carries its leading whitespace).
[[nodiscard]] std::vector<std::string> word_tokens(std::string_view text);

} // namespace chatkit::chat
