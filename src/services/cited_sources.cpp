#include "chatkit/services/cited_sources.hpp"

#include "chatkit/chat/answer/citations.hpp"

namespace chatkit::services {

cited_answer cited_sources_first(std::string_view text, const boost::json::array& sources)
{
    auto ordered = chat::cited_first(text, sources.size());
    cited_answer out;
    out.text = std::move(ordered.text);
    for (auto n : ordered.order)
        out.sources.push_back(sources[n - 1]);
    out.cited.assign(ordered.order.begin(), ordered.order.begin() + static_cast<std::ptrdiff_t>(ordered.cited));
    return out;
}

} // namespace chatkit::services
