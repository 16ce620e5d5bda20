#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatkit::http {

struct header_field {
    // A constructor, not an aggregate: emplace_back constructs in place on
    // compilers without C++20's parenthesised aggregate init (clang 14).
    // Rvalue references, not values: a reply gets about ten fields, and
    // each by-value parameter was one more move (a copy, for short strings).
    header_field(std::string&& n, std::string&& v) : name(std::move(n)), value(std::move(v)) {}
    std::string name;
    std::string value;
};

// Case-insensitive, order-preserving header list. A vector beats a map here:
// requests carry a dozen fields and lookups are linear scans over hot memory.
class header_list {
public:
    void add(std::string name, std::string value);
    // Replaces every field of that name with one.
    void set(std::string_view name, std::string value);
    void erase(std::string_view name);
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
    [[nodiscard]] bool empty() const { return fields_.empty(); }

    [[nodiscard]] auto begin() const { return fields_.begin(); }
    [[nodiscard]] auto end() const { return fields_.end(); }

private:
    std::vector<header_field> fields_;
};

[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

} // namespace chatkit::http
