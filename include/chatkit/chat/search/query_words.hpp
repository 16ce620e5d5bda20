#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace chatkit::chat {

// How a question writes its words, for the relevance decision: a word the
// corpus lacks says "another topic" loudly when it is a name ("Deno",
// "useEffect", "VACUUM", "nginx") and quietly when it is ordinary English
// ("sluggish", "nobody").
struct query_words {
    // Lowercased words written as names (capitalised mid-sentence,
    // camelCase, ALL CAPS): never spell-corrected into a corpus word.
    std::unordered_set<std::string> written_as_names;
    // The index terms of every word that is a name or not English.
    std::unordered_set<std::string> name_terms;
    // The whole terms of camelCase identifiers ("getBuiltinModule"): exactly
    // what was written, never a reader's longer form of a short word.
    std::unordered_set<std::string> identifiers;
    // The terms of the reader's own data: text in quotes or backticks, and
    // paths ("/repo/assets/logo.svg"). Unknown to the corpus, they say
    // nothing about the topic.
    std::unordered_set<std::string> literal_terms;
    // The terms of languages' names ("French"): the language of an answer,
    // not its topic.
    std::unordered_set<std::string> language_terms;
    // What the reader named as an API: qualified names ("fs.glob",
    // "process.getBuiltinModule") as whole index terms, each with the term
    // of its first part ("fs"), and flags of several words ("--env-file"),
    // with an empty first part. File names ("db.js") and addresses are not.
    std::vector<std::pair<std::string, std::string>> api_names;
    // Codes an error message or a log line carries, as written by programs
    // ("ENOENT", "ERR_REQUIRE_ESM", "SIGTERM", "E0752"), lowercased.
    std::vector<std::string> codes;
};

[[nodiscard]] query_words classify_words(std::string_view question);

} // namespace chatkit::chat
