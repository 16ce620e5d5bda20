#pragma once

#include "chatkit/config/config.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::config {

using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

// The process environment.
[[nodiscard]] env_lookup process_env();

struct setting_doc {
    std::string_view env;
    std::string_view flag;
    std::string_view help;
};

// Every setting, for --help and for the docs test.
[[nodiscard]] const std::vector<setting_doc>& settings();

struct load_result {
    config cfg;
    std::vector<std::string> args; // what was not a --flag (subcommand and its operands)
    std::string error;             // a value that could not be parsed; empty when fine
};

// Defaults, then the environment, then --flags (a flag beats its variable).
[[nodiscard]] load_result load(const env_lookup& env, const std::vector<std::string>& argv);

} // namespace chatkit::config
