#pragma once

#include <optional>
#include <string>

namespace soci {
class session;
}

// Readers' ratings of answers: one per answer, the latest kept.
namespace chatkit::store::feedback_repo {

struct rating_row {
    std::string message_id;
    std::string rating;                // up | down
    std::optional<std::string> reason; // incorrect | incomplete | not_what_i_asked | other
    std::optional<std::string> comment;
    std::optional<std::string> user_id;
    std::optional<std::string> session_id;
};

// Stores the rating, replacing the answer's earlier one.
void upsert(soci::session& s, const rating_row& row, long long now);

} // namespace chatkit::store::feedback_repo
