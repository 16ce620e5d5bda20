#include "chatkit/chat/answer/upstream_parser.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace chatkit::chat {

namespace {

constexpr std::size_t max_line = 1 << 20;

} // namespace

std::vector<std::string> upstream_parser::feed(std::string_view bytes)
{
    std::vector<std::string> out;
    partial_.append(bytes);
    std::size_t start = 0;
    for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n', start)) {
        std::string_view text(partial_.data() + start, nl - start);
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        line(text, out);
        start = nl + 1;
    }
    partial_.erase(0, start);
    if (partial_.size() > max_line)
        throw std::runtime_error("upstream sent an over-long line");
    return out;
}

void upstream_parser::line(std::string_view text, std::vector<std::string>& out)
{
    if (done_ || !text.starts_with("data:"))
        return; // comments, event:/id: lines, blank separators
    text.remove_prefix(5);
    if (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    if (text == "[DONE]") {
        done_ = true;
        return;
    }
    boost::system::error_code ec;
    auto chunk = boost::json::parse(text, ec);
    if (ec || !chunk.is_object())
        throw std::runtime_error("upstream sent a chunk that is not JSON");
    const auto* choices = chunk.as_object().if_contains("choices");
    if (!choices || !choices->is_array())
        throw std::runtime_error("upstream chunk without choices");
    if (choices->as_array().empty())
        return;
    const auto& first = choices->as_array().front();
    const auto* delta = first.is_object() ? first.as_object().if_contains("delta") : nullptr;
    if (!delta || !delta->is_object())
        return;
    const auto* content = delta->as_object().if_contains("content");
    if (content && content->is_string() && !content->as_string().empty())
        out.emplace_back(content->as_string());
}

} // namespace chatkit::chat
