#include "connection_url.hpp"

#include <stdexcept>

namespace chatkit::store {

connection_url parse_connection_url(const std::string& url, std::chrono::milliseconds connect_timeout)
{
    connection_url out;
    constexpr std::string_view sqlite_prefix = "sqlite://";
    if (url.starts_with(sqlite_prefix)) {
        auto path = url.substr(sqlite_prefix.size());
        if (path.starts_with("/./") || path.starts_with("/../"))
            path.erase(0, 1);
        if (path.empty() || path == "/")
            throw std::invalid_argument("DATABASE_URL names no SQLite file");
        out.kind = dialect::sqlite;
        out.sqlite_path = path;
        return out;
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        out.kind = dialect::postgresql;
        out.postgresql_connect_string = url;
        if (url.find("connect_timeout=") == std::string::npos) {
            auto seconds = std::max<long>(1, static_cast<long>(connect_timeout.count() / 1000));
            out.postgresql_connect_string +=
                (url.find('?') == std::string::npos ? "?" : "&") + std::string("connect_timeout=") +
                std::to_string(seconds);
        }
        return out;
    }
    throw std::invalid_argument("DATABASE_URL must start with sqlite:// or postgresql://");
}

} // namespace chatkit::store
