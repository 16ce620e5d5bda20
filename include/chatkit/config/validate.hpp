#pragma once

#include "chatkit/config/config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace chatkit::config {

inline constexpr std::string_view development_default_secret = "dev-secret-key-change-in-production";

struct verdict {
    // One line naming what to set and how to make a good value; empty when the
    // configuration may start. Never contains a secret.
    std::string refusal;
    std::vector<std::string> warnings;

    [[nodiscard]] bool ok() const { return refusal.empty(); }
};

// Crash-early checks (DESIGN.md "Modes"). In development a missing secret is
// replaced with an ephemeral random one, hence the non-const config.
[[nodiscard]] verdict validate(config& cfg);

// Why the key is too weak to sign anything, or empty when it is strong enough.
[[nodiscard]] std::string secret_weakness(std::string_view key);

} // namespace chatkit::config
