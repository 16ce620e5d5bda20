#pragma once

#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace chatkit::store::analytics_repo {

struct event_row {
    std::string id;
    std::string event_type;
    std::string event_data; // serialized JSON object, or empty
    std::optional<std::string> user_id;
    std::optional<std::string> session_id;
    long long created_at = 0;
};

// One transaction for the whole batch.
void insert_batch(soci::session& s, const std::vector<event_row>& events);
long long count(soci::session& s, const std::string& event_type);

} // namespace chatkit::store::analytics_repo
