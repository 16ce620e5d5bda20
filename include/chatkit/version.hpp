#pragma once

#include <string_view>

namespace chatkit {

[[nodiscard]] std::string_view version();

} // namespace chatkit
