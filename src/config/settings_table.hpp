#pragma once

// The settings table: every variable, its flag, its help line and how its
// value is read. loader.cpp walks it; settings() documents it.
#include "chatkit/config/loader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::config {

// Mode flags are recorded raw and resolved once everything is read, because
// the two names interact (see resolve_mode).
struct mode_inputs {
    std::optional<std::string> chatkit_env;
    std::optional<bool> integration_test_mode;
};

using setter = std::string (*)(config&, mode_inputs&, std::string_view);

struct setting {
    setting_doc doc;
    setter apply; // returns an error sentence, or empty
};

const std::vector<setting>& table();

} // namespace chatkit::config
