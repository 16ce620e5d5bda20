#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chatkit::chat::md {

// Appends what an HTML entity ("&amp;", "&#x2014;") stands for.
void decode_entity(std::string& out, std::string_view entity);

} // namespace chatkit::chat::md
