#pragma once

#include <string_view>

namespace chatkit::chat {

// What a search for `question`, asked after `earlier` in the same
// conversation, takes as context: a question that refers back ("and on
// PostgreSQL?", "how do I test that?", "why?") means nothing on its own, so
// the earlier question's words join it (at a lower weight, retriever.hpp);
// a question that stands alone takes none.
[[nodiscard]] std::string_view follow_up_context(std::string_view question, std::string_view earlier);

// Whether `question` refers back to an earlier one: it opens with a
// continuation ("and", "what about", "why"), points back with a pronoun
// ("that", "it", "them"), or is too short to name a topic of its own.
[[nodiscard]] bool refers_back(std::string_view question);

} // namespace chatkit::chat
