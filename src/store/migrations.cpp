#include "chatkit/store/migrations.hpp"

#include "chatkit/store/db.hpp"
#include "embedded_migrations.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace chatkit::store {

namespace {

// Any constant works; it only has to be the same for every instance.
constexpr long long advisory_lock_key = 0x63686174'6b6974;

// SQLite prepares one statement at a time, so files are split on lines that
// end a statement. Migrations keep to that shape (no semicolons inside a
// statement's own lines).
std::vector<std::string> split_statements(std::string_view sql)
{
    std::vector<std::string> out;
    std::string current;
    std::size_t pos = 0;
    while (pos < sql.size()) {
        auto end = sql.find('\n', pos);
        auto line = sql.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? sql.size() : end + 1;
        auto trimmed = line;
        while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r'))
            trimmed.remove_suffix(1);
        if (trimmed.starts_with("--") || trimmed.empty())
            continue;
        current += trimmed;
        current += '\n';
        if (trimmed.back() == ';') {
            current.pop_back();
            current.pop_back();
            out.push_back(std::move(current));
            current.clear();
        }
    }
    if (!current.empty())
        out.push_back(std::move(current));
    return out;
}

long long now_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool apply_one(soci::session& s, dialect d, const embedded_migration& m)
{
    if (d == dialect::sqlite)
        s << "BEGIN IMMEDIATE";
    else {
        s.begin();
        s << "SELECT pg_advisory_xact_lock(" + std::to_string(advisory_lock_key) + ")";
    }
    try {
        s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
             "applied_at BIGINT NOT NULL)";
        int present = 0;
        s << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version), soci::into(present);
        if (present == 0) {
            for (const auto& statement : split_statements(m.sql))
                s << statement;
            std::string name(m.name);
            long long now = now_seconds();
            s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)", soci::use(m.version),
                soci::use(name), soci::use(now);
        }
        if (d == dialect::sqlite)
            s << "COMMIT";
        else
            s.commit();
        return present == 0;
    } catch (...) {
        if (d == dialect::sqlite)
            s << "ROLLBACK";
        else
            s.rollback();
        throw;
    }
}

std::vector<const embedded_migration*> migrations_for(dialect d)
{
    std::vector<const embedded_migration*> mine;
    for (const auto& m : embedded_migrations())
        if (m.dialect == (d == dialect::sqlite ? "sqlite" : "postgresql"))
            mine.push_back(&m);
    std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->version < b->version; });
    return mine;
}

std::string versions_text(const std::vector<int>& versions)
{
    std::string out;
    for (auto v : versions)
        out += (out.empty() ? "" : ", ") + std::to_string(v);
    return out;
}

} // namespace

schema_state read_schema_state(soci::session& s)
{
    auto d = s.get_backend_name() == "postgresql" ? dialect::postgresql : dialect::sqlite;
    int tables = 0;
    if (d == dialect::sqlite)
        s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            soci::into(tables);
    else
        s << "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND "
             "table_schema = current_schema()",
            soci::into(tables);
    std::vector<int> applied;
    if (tables > 0) {
        int version = 0;
        soci::statement st =
            (s.prepare << "SELECT version FROM schema_migrations ORDER BY version", soci::into(version));
        st.execute();
        while (st.fetch())
            applied.push_back(version);
    }
    schema_state out;
    auto mine = migrations_for(d);
    for (const auto* m : mine)
        if (std::find(applied.begin(), applied.end(), m->version) == applied.end())
            out.pending.push_back(m->version);
    for (auto v : applied)
        if (std::none_of(mine.begin(), mine.end(), [&](auto* m) { return m->version == v; }))
            out.unknown.push_back(v);
    return out;
}

std::vector<int> migrate(db_executor& db)
{
    auto d = db.dialect();
    auto mine = migrations_for(d);
    db.run_blocking([&](soci::session& s) {
        if (auto state = read_schema_state(s); !state.unknown.empty())
            throw schema_too_new("the database was migrated by a newer chatkit-server (migration " +
                                 versions_text(state.unknown) + ", this one knows up to " +
                                 std::to_string(mine.empty() ? 0 : mine.back()->version) +
                                 "): run that version or a newer one");
    });

    std::vector<int> applied;
    db.run_blocking([&](soci::session& s) {
        // One instance runs the whole list: instances starting together would
        // otherwise take turns migration by migration.
        auto key = std::to_string(advisory_lock_key);
        if (d == dialect::postgresql)
            s << "SELECT pg_advisory_lock(" + key + ")";
        try {
            for (const auto* m : mine)
                if (apply_one(s, d, *m))
                    applied.push_back(m->version);
        } catch (...) {
            if (d == dialect::postgresql)
                s << "SELECT pg_advisory_unlock(" + key + ")";
            throw;
        }
        if (d == dialect::postgresql)
            s << "SELECT pg_advisory_unlock(" + key + ")";
    });
    return applied;
}

} // namespace chatkit::store
