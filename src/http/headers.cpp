#include "chatkit/http/headers.hpp"

#include <algorithm>

namespace chatkit::http {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

void header_list::add(std::string name, std::string value)
{
    // A reply gets about a dozen fields: one allocation instead of five
    // doublings of the vector.
    if (fields_.capacity() == 0)
        fields_.reserve(16);
    fields_.emplace_back(std::move(name), std::move(value));
}

void header_list::set(std::string_view name, std::string value)
{
    erase(name);
    fields_.push_back({std::string(name), std::move(value)});
}

void header_list::erase(std::string_view name)
{
    std::erase_if(fields_, [&](const header_field& f) { return iequals(f.name, name); });
}

std::optional<std::string_view> header_list::get(std::string_view name) const
{
    for (const auto& f : fields_)
        if (iequals(f.name, name))
            return f.value;
    return std::nullopt;
}

std::size_t header_list::count(std::string_view name) const
{
    return static_cast<std::size_t>(
        std::count_if(fields_.begin(), fields_.end(), [&](const header_field& f) { return iequals(f.name, name); }));
}

} // namespace chatkit::http
