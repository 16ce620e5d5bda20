#pragma once

#include <boost/json/array.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::services {

// An answer as it is stored and returned whole (history, POST /chat): the
// sources it cites first, in the order it first cites them, then the others
// in their order, its [n] renumbered to match (chat::cited_first). A stream
// cannot do this: its sources event goes out before the first token, and
// its tokens keep that numbering.
struct cited_answer {
    std::string text;
    boost::json::array sources;
    // The sources it cites, first cited first, in the numbering it had.
    std::vector<std::size_t> cited;
};
[[nodiscard]] cited_answer cited_sources_first(std::string_view text, const boost::json::array& sources);

} // namespace chatkit::services
