#pragma once

#include <string>
#include <vector>

namespace chatkit::store {

struct admin_outcome {
    bool ok = false;
    bool usage = false; // the command line was wrong (exit 64)
    std::string message;
};

// `chatkit-server migrate`: applies pending migrations and says which.
admin_outcome admin_migrate(const std::string& database_url);

// `chatkit-server user set-tier EMAIL TIER` and `user revoke-sessions EMAIL`.
admin_outcome admin_user(const std::string& database_url, const std::vector<std::string>& operands);

} // namespace chatkit::store
