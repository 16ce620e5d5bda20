#pragma once

#include "chatkit/chat/corpus/markdown_page.hpp"

#include <string>
#include <vector>

namespace chatkit::chat {

// A page's leading `---` block (title, slug, id as MkDocs and Docusaurus
// write them), removed from `lines`; nothing is removed when the block has
// no closing line (then it was a thematic break).
front_matter read_front_matter(std::vector<std::string>& lines);

} // namespace chatkit::chat
