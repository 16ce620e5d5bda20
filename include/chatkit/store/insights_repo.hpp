#pragma once

#include <string>
#include <vector>

namespace soci {
class session;
}

// What readers asked and how it went, for the docs team's insights page:
// read from the stored conversations, answer streams and ratings.
namespace chatkit::store::insights_repo {

struct question_count {
    long long day; // days since 1970-01-01
    std::string tier;
    long long questions;
};

struct asked {
    std::string question;
    long long at_ms;
};

struct rated_answer {
    std::string question, answer, sources_json, reason, comment;
    long long rated_at;
};

struct window_data {
    std::vector<question_count> per_day;
    long long answered = 0, refused = 0;
    std::vector<asked> refused_questions;   // newest first, at most `limit`
    std::vector<rated_answer> thumbs_down;  // newest first, at most `limit`
    std::vector<std::string> cited_sources; // the sources JSON of each answered answer
    std::vector<long long> answer_seconds;  // from question to last token, per finished answer
};

// [from, to) in seconds since the epoch.
[[nodiscard]] window_data read_window(soci::session& s, long long from, long long to, int limit);

} // namespace chatkit::store::insights_repo
