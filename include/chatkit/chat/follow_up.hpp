#pragma once

#include <string>
#include <string_view>

namespace chatkit::chat {

// What to search for when `question` came after `earlier` in the same
// conversation. A question that refers back ("and on PostgreSQL?", "how do
// I test that?", "why?") means nothing on its own: it is searched together
// with the earlier question's words. A question that stands alone is
// searched as it is.
[[nodiscard]] std::string follow_up_query(std::string_view question, std::string_view earlier);

// Whether `question` refers back to an earlier one: it opens with a
// continuation ("and", "what about", "why"), points back with a pronoun
// ("that", "it", "them"), or is too short to name a topic of its own.
[[nodiscard]] bool refers_back(std::string_view question);

} // namespace chatkit::chat
