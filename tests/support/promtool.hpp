#pragma once

#include <optional>
#include <string>

namespace chatkit::test {

struct promtool_verdict {
    int status = -1;
    std::string findings; // what promtool printed: empty when the text is clean
};

// `promtool check metrics` over an exposition. promtool is $PROMTOOL, else
// the one on PATH (scripts/lib.sh's install_promtool provides it). nullopt
// when it cannot run: a test then skips, except under scripts/test
// (CHATKIT_REQUIRE_SERVICES), where this throws instead.
[[nodiscard]] std::optional<promtool_verdict> promtool_check(const std::string& exposition);

} // namespace chatkit::test
