#include "chatkit/store/share_repo.hpp"

#include "chatkit/security/tokens.hpp"

#include <soci/soci.h>

#include <algorithm>

namespace chatkit::store::share_repo {

namespace {

// Column names only, never input: the owner's value is always bound.
const char* owner_column(const std::string& user_id)
{
    return user_id.empty() ? "session_id" : "user_id";
}

const std::string& owner_of(const std::string& user_id, const std::string& session_id)
{
    return user_id.empty() ? session_id : user_id;
}

} // namespace

std::optional<std::string> find_conversation(soci::session& s, const std::string& user_id,
                                             const std::string& session_id, const std::string& key)
{
    const auto& owner = owner_of(user_id, session_id);
    if (owner.empty())
        return std::nullopt;
    std::string id;
    s << std::string("SELECT id FROM conversations WHERE ") + owner_column(user_id) +
             " = :owner AND client_key = :key ORDER BY created_at DESC, id LIMIT 1",
        soci::use(owner, "owner"), soci::use(key, "key"), soci::into(id);
    if (!s.got_data())
        return std::nullopt;
    return id;
}

bool insert_share(soci::session& s, const share_row& row)
{
    // Two shares of one conversation at once: one row wins, both callers
    // then read it.
    soci::statement st =
        (s.prepare << "INSERT INTO conversation_shares (conversation_id, token_hash, sealed_token, created_at) "
                      "VALUES (:conv, :hash, :sealed, :now) ON CONFLICT (conversation_id) DO NOTHING",
         soci::use(row.conversation_id, "conv"), soci::use(row.token_hash, "hash"),
         soci::use(row.sealed_token, "sealed"), soci::use(row.created_at, "now"));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

std::optional<share_row> find_share(soci::session& s, const std::string& conversation_id)
{
    share_row row;
    s << "SELECT conversation_id, token_hash, sealed_token, created_at FROM conversation_shares "
         "WHERE conversation_id = :conv",
        soci::use(conversation_id, "conv"), soci::into(row.conversation_id), soci::into(row.token_hash),
        soci::into(row.sealed_token), soci::into(row.created_at);
    if (!s.got_data())
        return std::nullopt;
    return row;
}

void replace_share(soci::session& s, const share_row& row)
{
    s << "UPDATE conversation_shares SET token_hash = :hash, sealed_token = :sealed, created_at = :now "
         "WHERE conversation_id = :conv",
        soci::use(row.token_hash, "hash"), soci::use(row.sealed_token, "sealed"), soci::use(row.created_at, "now"),
        soci::use(row.conversation_id, "conv");
}

void delete_shares(soci::session& s, const std::string& user_id, const std::string& session_id, const std::string& key)
{
    const auto& owner = owner_of(user_id, session_id);
    s << std::string("DELETE FROM conversation_shares WHERE conversation_id IN (SELECT id FROM conversations WHERE ") +
             owner_column(user_id) + " = :owner AND client_key = :key)",
        soci::use(owner, "owner"), soci::use(key, "key");
}

long long expires_at(soci::session& s, const std::string& conversation_id, long long anonymous_retention_s)
{
    // Typed binds, not rows: SQLite and PostgreSQL describe integer columns
    // differently.
    std::string user;
    soci::indicator user_ind = soci::i_null;
    long long created = 0, last = 0;
    soci::indicator last_ind = soci::i_null;
    s << "SELECT c.user_id, c.created_at, (SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id) "
         "FROM conversations c WHERE c.id = :conv",
        soci::use(conversation_id, "conv"), soci::into(user, user_ind), soci::into(created), soci::into(last, last_ind);
    if (!s.got_data() || user_ind == soci::i_ok)
        return 0;
    auto active_ms = std::max(created, last_ind == soci::i_ok ? last : 0);
    return (active_ms + 999) / 1000 + anonymous_retention_s;
}

std::optional<shared_conversation> find_shared(soci::session& s, const std::string& token_hash,
                                               long long idle_cutoff_ms, int limit)
{
    // Retention's own test of an idle anonymous conversation
    // (retention_repo::prune_anonymous_conversations), negated: a link never
    // outlives what it shows, even between two pruning passes.
    std::string conversation, stored_hash;
    shared_conversation out;
    s << "SELECT x.conversation_id, x.token_hash, x.created_at FROM conversation_shares x "
         "JOIN conversations c ON c.id = x.conversation_id WHERE x.token_hash = :hash AND (c.user_id IS NOT NULL "
         "OR c.created_at >= :cutoff OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND "
         "m.created_at >= :cutoff_ms))",
        soci::use(token_hash, "hash"), soci::use(idle_cutoff_ms, "cutoff"), soci::use(idle_cutoff_ms, "cutoff_ms"),
        soci::into(conversation), soci::into(stored_hash), soci::into(out.shared_at);
    if (!s.got_data() || !security::equal_constant_time(stored_hash, token_hash))
        return std::nullopt;

    // The newest `limit` + 1: one more than shown says whether any were left out.
    const int fetch = limit + 1;
    shared_message m;
    soci::indicator sources_ind = soci::i_null;
    soci::statement st =
        (s.prepare << "SELECT role, content, sources, status, created_at FROM messages WHERE conversation_id = :conv "
                      "ORDER BY created_at DESC, id DESC LIMIT :limit",
         soci::use(conversation, "conv"), soci::use(fetch, "limit"), soci::into(m.role), soci::into(m.content),
         soci::into(m.sources_json, sources_ind), soci::into(m.status), soci::into(m.created_at_ms));
    st.execute();
    while (st.fetch()) {
        if (sources_ind != soci::i_ok)
            m.sources_json.clear();
        out.messages.push_back(m);
    }
    if (out.messages.size() > static_cast<std::size_t>(limit)) {
        out.messages.pop_back();
        out.earlier_left_out = true;
    }
    std::reverse(out.messages.begin(), out.messages.end());
    return out;
}

} // namespace chatkit::store::share_repo
