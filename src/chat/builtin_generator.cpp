#include "chatkit/chat/builtin_generator.hpp"

#include "chatkit/chat/answer_composer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chatkit::chat {

std::vector<std::string> word_tokens(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto start = i;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n'))
            ++i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\n')
            ++i;
        out.emplace_back(text.substr(start, i - start));
    }
    return out;
}

boost::asio::awaitable<void> builtin_generator::generate(const grounding& g, const token_sink& emit)
{
    auto tokens = word_tokens(compose_answer(g));
    const auto pace = g.streamed ? pace_ : std::chrono::milliseconds(0);
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor);
    bool first = true;
    for (auto& token : tokens) {
        if (!first && pace.count() > 0) {
            timer.expires_after(pace);
            co_await timer.async_wait(boost::asio::use_awaitable); // throws when cancelled
        }
        first = false;
        co_await emit(std::move(token));
    }
}

} // namespace chatkit::chat
