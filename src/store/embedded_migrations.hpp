#pragma once

#include <string_view>
#include <vector>

namespace chatkit::store {

struct embedded_migration {
    std::string_view dialect; // "sqlite" or "postgresql"
    int version;
    std::string_view name;
    std::string_view sql;
};

// Generated at build time from migrations/ (tools/embed_sql.py).
const std::vector<embedded_migration>& embedded_migrations();

} // namespace chatkit::store
