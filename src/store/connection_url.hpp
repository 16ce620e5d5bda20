#pragma once

#include "chatkit/store/db.hpp"

#include <chrono>
#include <string>

namespace chatkit::store {

struct connection_url {
    dialect kind = dialect::sqlite;
    std::string sqlite_path;
    std::string postgresql_connect_string; // libpq keyword=value pairs
};

// A postgresql:// URI as libpq keyword=value pairs (with a connect timeout
// unless the URI sets one).
[[nodiscard]] std::string libpq_keywords(std::string_view url, std::chrono::milliseconds connect_timeout);

// sqlite:///./var/x.db is relative to the working directory, sqlite:///var/x.db
// absolute; postgresql:// and postgres:// URIs become libpq keywords. Throws std::invalid_argument.
[[nodiscard]] connection_url parse_connection_url(const std::string& url, std::chrono::milliseconds connect_timeout);

} // namespace chatkit::store
