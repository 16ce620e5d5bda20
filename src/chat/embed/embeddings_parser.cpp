#include "chatkit/chat/embed/embeddings_parser.hpp"

#include <boost/json/parse.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace chatkit::chat {

namespace {

[[noreturn]] void refuse(const std::string& why)
{
    throw std::runtime_error("embeddings response refused: " + why);
}

} // namespace

std::vector<std::vector<float>> parse_embeddings(std::string_view body, std::size_t count, std::size_t dimensions)
{
    boost::system::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (ec || !doc.is_object())
        refuse("not a JSON object");
    const auto* data = doc.as_object().if_contains("data");
    if (!data || !data->is_array())
        refuse("no \"data\" array");
    const auto& items = data->as_array();
    if (items.size() != count)
        refuse(std::to_string(items.size()) + " vectors for " + std::to_string(count) + " inputs");
    std::vector<std::vector<float>> out(count);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto* item = items[i].if_object();
        const auto* embedding = item ? item->if_contains("embedding") : nullptr;
        if (!embedding || !embedding->is_array())
            refuse("entry " + std::to_string(i) + " has no \"embedding\" array");
        std::size_t slot = i;
        if (const auto* index = item->if_contains("index")) {
            if (!index->is_int64() || index->as_int64() < 0 || static_cast<std::size_t>(index->as_int64()) >= count)
                refuse("entry " + std::to_string(i) + " has an index out of range");
            slot = static_cast<std::size_t>(index->as_int64());
        }
        if (!out[slot].empty())
            refuse("two entries have index " + std::to_string(slot));
        const auto& values = embedding->as_array();
        if (dimensions == 0)
            dimensions = values.size();
        if (values.empty() || values.size() != dimensions)
            refuse("a vector of " + std::to_string(values.size()) + " dimensions, expected " +
                   std::to_string(dimensions));
        auto& v = out[slot];
        v.reserve(values.size());
        for (const auto& x : values) {
            if (!x.is_number())
                refuse("a component that is not a number");
            auto f = static_cast<float>(x.to_number<double>());
            if (!std::isfinite(f))
                refuse("a component that is not finite");
            v.push_back(f);
        }
    }
    return out;
}

} // namespace chatkit::chat
