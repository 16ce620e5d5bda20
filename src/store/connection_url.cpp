#include "connection_url.hpp"

#include "chatkit/util/percent.hpp"

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
std::string libpq_keywords(std::string_view url, std::chrono::milliseconds connect_timeout)
{
    url.remove_prefix(url.find("://") + 3);
    std::string_view query;
    if (auto q = url.find('?'); q != std::string_view::npos) {
        query = url.substr(q + 1);
        url = url.substr(0, q);
    }
    std::string_view dbname;
    if (auto slash = url.find('/'); slash != std::string_view::npos) {
        dbname = url.substr(slash + 1);
        url = url.substr(0, slash);
    }
    std::string_view user, password;
    if (auto at = url.rfind('@'); at != std::string_view::npos) {
        auto userinfo = url.substr(0, at);
        url = url.substr(at + 1);
        auto colon = userinfo.find(':');
        user = userinfo.substr(0, colon);
        if (colon != std::string_view::npos)
            password = userinfo.substr(colon + 1);
    }
    std::string_view host = url, port;
    if (!host.starts_with('[')) {
        if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
        }
    } else if (auto close = host.find(']'); close != std::string_view::npos) {
        if (close + 1 < host.size() && host[close + 1] == ':')
            port = host.substr(close + 2);
        host = host.substr(1, close - 1);
    }
    std::string out;
    append_keyword(out, "host", util::percent_decode(host));
    append_keyword(out, "port", port);
    append_keyword(out, "dbname", util::percent_decode(dbname));
    append_keyword(out, "user", util::percent_decode(user));
    append_keyword(out, "password", util::percent_decode(password));
    std::set<std::string> given; // keywords the URL's query sets
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos)
            continue;
        auto key = util::percent_decode(pair.substr(0, eq));
        given.insert(key);
        append_keyword(out, key, util::percent_decode(pair.substr(eq + 1)));
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
