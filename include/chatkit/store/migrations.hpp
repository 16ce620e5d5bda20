#pragma once

#include <stdexcept>
#include <vector>

namespace soci {
class session;
}

namespace chatkit::store {

class db_executor;

// The database holds a migration this binary does not know: a newer
// chatkit-server migrated it. Serving it could misread or break its data.
class schema_too_new : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct schema_state {
    std::vector<int> pending; // known here, not applied yet (serve applies them)
    std::vector<int> unknown; // applied, not known here
};
// Reads schema_migrations (none yet: everything pending).
schema_state read_schema_state(soci::session& s);

// Applies the embedded migrations of the database's dialect that are not yet
// recorded in schema_migrations, in order, each in its own transaction.
// Instances starting together serialise on a lock (PostgreSQL advisory lock,
// SQLite BEGIN IMMEDIATE), so each migration is applied exactly once.
// Returns the versions this call applied. Throws schema_too_new, applying
// nothing, when the database is ahead of this binary.
std::vector<int> migrate(db_executor& db);

} // namespace chatkit::store
