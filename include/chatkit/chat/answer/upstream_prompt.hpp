#pragma once

#include "chatkit/chat/answer/generator.hpp"

#include <boost/json/array.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace chatkit::chat {

// The messages of one /chat/completions request, and how many of the
// retrieved sources they hold: the first `sources_given` of
// grounding::sources, numbered [1] to [sources_given] as in the answer's
// `sources` event. A citation of any other number names nothing the model
// was given.
struct upstream_prompt {
    boost::json::array messages;
    std::size_t sources_given = 0;
};

// Rules, then the earlier turns (newest kept first, each answer cut and its
// citations removed, together at most a quarter of the budget), then one
// user message with the sources, the reader's selection and the question,
// delimited as data. The sources go in whole, best first, while the budget
// lasts; the first one that does not fit whole is cut after its last block,
// or sentence, that fits, and the ones after it are left out. The selection
// and the question always go in.
[[nodiscard]] upstream_prompt build_prompt(const grounding& g, std::size_t budget_tokens);

[[nodiscard]] std::string system_prompt();

// A cheap, deliberately high estimate of a text's tokens (from its bytes).
[[nodiscard]] std::size_t estimated_tokens(std::string_view text);

} // namespace chatkit::chat
