#include "connection_url.hpp"

#include "chatkit/util/url.hpp"

#include <set>
#include <stdexcept>

namespace chatkit::store {

namespace {

void append_keyword(std::string& out, std::string_view key, std::string_view value)
{
    if (value.empty())
        return;
    out += out.empty() ? "" : " ";
    out += key;
    out += "='";
    for (char c : value) {
        if (c == '\\' || c == '\'')
            out += '\\';
        out += c;
    }
    out += '\'';
}

} // namespace

// SOCI reads "postgresql://..." as its own backend://connect-string syntax
// and mangles a libpq URI, so the URI is turned into libpq keywords here.
std::string libpq_keywords(std::string_view text, std::chrono::milliseconds connect_timeout)
{
    auto parsed = util::parse_absolute_url(text);
    if (!parsed)
        throw std::invalid_argument("DATABASE_URL is not a valid URL: percent-encode an @, : or / of the user name "
                                    "or password (%40, %3A, %2F)");
    const auto& url = *parsed;
    std::string dbname = url.path();
    if (dbname.starts_with('/'))
        dbname.erase(0, 1);
    std::string out;
    // An IPv6 literal without its brackets, a name percent-decoded (a
    // socket folder may be written %2Frun%2Fpostgresql).
    append_keyword(out, "host",
                   url.host_type() == boost::urls::host_type::ipv6 ? url.host_address() : std::string(url.host()));
    append_keyword(out, "port", url.port());
    append_keyword(out, "dbname", dbname);
    append_keyword(out, "user", url.user());
    append_keyword(out, "password", url.password());
    std::set<std::string> given; // keywords the URL's query sets
    for (auto param : url.params()) {
        if (!param.has_value)
            continue;
        given.insert(param.key);
        append_keyword(out, param.key, param.value);
    }
    if (!given.contains("connect_timeout"))
        append_keyword(out, "connect_timeout",
                       std::to_string(std::max<long>(1, static_cast<long>(connect_timeout.count() / 1000))));
    // Find a dead peer in seconds, not in the kernel's quarter of an hour:
    // keepalives on an idle connection, and unacknowledged data given up on
    // after 10 s. A URL that sets any of them keeps its own.
    for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"keepalives", "1"},
                              {"keepalives_idle", "10"},
                              {"keepalives_interval", "3"},
                              {"keepalives_count", "3"},
                              {"tcp_user_timeout", "10000"}})
        if (!given.contains(std::string(key)))
            append_keyword(out, key, value);
    return out;
}

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
        out.postgresql_connect_string = libpq_keywords(url, connect_timeout);
        return out;
    }
    throw std::invalid_argument("DATABASE_URL must start with sqlite:// or postgresql://");
}

} // namespace chatkit::store
