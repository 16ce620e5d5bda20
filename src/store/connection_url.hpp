#pragma once

#include "chatkit/store/db.hpp"

#include <chrono>
#include <string>

namespace chatkit::store {

struct connection_url {
    dialect kind = dialect::sqlite;
    std::string sqlite_path;
    std::string postgresql_connect_string; // a libpq URI
};

// sqlite:///./var/x.db is relative to the working directory, sqlite:///var/x.db
// absolute; postgresql:// and postgres:// URIs go to libpq as they are, with
// a connect timeout added unless one is given. Throws std::invalid_argument.
[[nodiscard]] connection_url parse_connection_url(const std::string& url, std::chrono::milliseconds connect_timeout);

} // namespace chatkit::store
