#pragma once

#include "chatkit/chat/answer/generator.hpp"

#include <chrono>
#include <string_view>

namespace chatkit::chat {

// The default generator: no network, no model. It streams the extractive
// answer of answer_composer word by word (compose_answer says what it holds).
class builtin_generator final : public generator {
public:
    // `pace`: pause between the tokens of a stream, so it reads like one (0
    // for none). An answer that is not streamed (POST /chat) is not paced.
    explicit builtin_generator(std::chrono::milliseconds pace) : pace_(pace) {}

    [[nodiscard]] std::string model() const override { return "chatkit-extractive-2"; }
    boost::asio::awaitable<void> generate(const grounding& g, const token_sink& emit) override;

private:
    std::chrono::milliseconds pace_;
};

// The word-sized token of `text` that starts at `at`: its leading whitespace
// and one word. Consecutive tokens concatenate back to the text exactly.
[[nodiscard]] std::string_view word_token(std::string_view text, std::size_t at);

} // namespace chatkit::chat
