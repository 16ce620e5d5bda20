#pragma once

#include <chrono>
#include <string>

// The operator's commands that act on the database directly (any instance's
// running server learns of them through the database).
namespace chatkit::store {

struct admin_outcome {
    bool ok = false;
    std::string message;
    // A failure no retry mends (the database was migrated by a newer
    // version): the command line's exit code 78, not 1.
    bool configuration_error = false;
};

// Applies pending migrations and says which.
admin_outcome admin_migrate(const std::string& database_url);
// What `serve` would meet: PostgreSQL answers (within its connect timeout);
// SQLite's folder exists or can be made. Changes nothing.
admin_outcome admin_check_database(const std::string& database_url,
                                   std::chrono::milliseconds connect_timeout = std::chrono::seconds(3));
// `tier` is one the command line checked.
admin_outcome admin_set_tier(const std::string& database_url, const std::string& email, const std::string& tier);
// Every session of the user ends; answers they have open end within a second.
admin_outcome admin_revoke_sessions(const std::string& database_url, const std::string& email);
// What is kept about the user, as one JSON document (user_data_repo.hpp).
admin_outcome admin_export_user(const std::string& database_url, const std::string& email);
// The user and everything kept about them; their tokens die on every instance.
admin_outcome admin_delete_user(const std::string& database_url, const std::string& email);

} // namespace chatkit::store
