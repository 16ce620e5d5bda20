// A corpus file as a documentation site may hold it: parsed with every
// dialect rule, split into sections with anchors and URLs, indexed, rendered
// as a /docs page and quoted in an answer.
#include "chatkit/chat/answer/answer_composer.hpp"
#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/corpus/page_html.hpp"
#include "chatkit/chat/search/retriever.hpp"

#include <cstddef>
#include <cstdint>

using namespace chatkit::chat;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    corpus_options options;
    options.site = static_cast<site_kind>(data[0] % 3);
    auto c = std::make_shared<corpus>();
    // An include of a page beside it, and of the page itself.
    include_reader read = [](const std::string& path) -> std::optional<std::string> {
        if (path == "guide/inc.md")
            return std::string("Included *text*.\n\n{!page.md!}\n");
        if (path == "guide/page.md")
            return std::string("{!inc.md!}\n");
        return std::nullopt;
    };
    c->add("guide/page.md", std::string(reinterpret_cast<const char*>(data) + 1, size - 1), options, read);
    for (const auto& p : c->pages())
        static_cast<void>(page_html(*c, *p));
    retriever index(c);
    auto hits = find_sources(index, "how do I set up the page", {}, 5);
    if (hits.empty() && !c->sections().empty())
        hits.push_back({&c->sections().front(), 1.0, 1.0});
    static_cast<void>(
        compose_answer({"how do I set up the page", "chat", "A selected passage. Another.", hits, false, {}}));
    return 0;
}
