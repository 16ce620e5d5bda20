#include "chatkit/chat/answer/builtin_generator.hpp"

#include "chatkit/chat/answer/answer_composer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chatkit::chat {

std::string_view word_token(std::string_view text, std::size_t at)
{
    auto i = at;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n'))
        ++i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n')
        ++i;
    return text.substr(at, i - at);
}

boost::asio::awaitable<void> builtin_generator::generate(const grounding& g, const token_sink& emit)
{
    // Tokens are cut from the answer as they are sent: a stream paced over
    // seconds holds its answer once, not once more as a list of words.
    const auto answer = compose_answer(g);
    const auto pace = g.streamed ? pace_ : std::chrono::milliseconds(0);
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor);
    bool first = true;
    for (std::size_t at = 0; at < answer.size();) {
        auto token = word_token(answer, at);
        at += token.size();
        if (!first && pace.count() > 0) {
            timer.expires_after(pace);
            co_await timer.async_wait(boost::asio::use_awaitable); // throws when cancelled
        }
        first = false;
        co_await emit(std::string(token));
    }
}

} // namespace chatkit::chat
