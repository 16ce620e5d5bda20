#pragma once

#include <vector>

namespace chatkit::store {

class db_executor;

// Applies the embedded migrations of the database's dialect that are not yet
// recorded in schema_migrations, in order, each in its own transaction.
// Instances starting together serialise on a lock (PostgreSQL advisory lock,
// SQLite BEGIN IMMEDIATE), so each migration is applied exactly once.
// Returns the versions this call applied.
std::vector<int> migrate(db_executor& db);

} // namespace chatkit::store
