#include "chatkit/store/share_repo.hpp"

#include "chatkit/security/tokens.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <set>

namespace chatkit::store::share_repo {

namespace {

// Column names only, never input: the owner's value is always bound.
std::string owner_column(const std::string& user_id)
{
    return user_id.empty() ? "session_id" : "user_id";
}

const std::string& owner_of(const std::string& user_id, const std::string& session_id)
{
    return user_id.empty() ? session_id : user_id;
}

// The rows of `conversations` the caller calls `key` (history's rules), as
// a condition on the alias `c`, binding :owner and :key.
std::string named(const std::string& user_id)
{
    return "c." + owner_column(user_id) + " = :owner AND c.client_key = :key";
}

// When a conversation's link stops opening, from what the row says of it.
long long expiry(long long link_created_s, bool anonymous, long long conversation_created_ms, long long last_ms,
                 link_lifetime lifetime)
{
    auto ends = link_created_s + lifetime.lifetime_s;
    if (!anonymous)
        return ends;
    auto active_ms = std::max(conversation_created_ms, last_ms);
    return std::min(ends, (active_ms + 999) / 1000 + lifetime.anonymous_retention_s);
}

} // namespace

std::optional<std::string> find_conversation(soci::session& s, const std::string& user_id,
                                             const std::string& session_id, const std::string& key)
{
    const auto& owner = owner_of(user_id, session_id);
    if (owner.empty())
        return std::nullopt;
    std::string id;
    s << "SELECT c.id FROM conversations c WHERE " + named(user_id) + " ORDER BY c.created_at, c.id LIMIT 1",
        soci::use(owner, "owner"), soci::use(key, "key"), soci::into(id);
    if (!s.got_data())
        return std::nullopt;
    return id;
}

std::optional<share_row> find_share(soci::session& s, const std::string& user_id, const std::string& session_id,
                                    const std::string& key, long long live_since)
{
    const auto& owner = owner_of(user_id, session_id);
    share_row row;
    s << "SELECT x.conversation_id, x.token_hash, x.sealed_token, x.created_at FROM conversation_shares x "
         "JOIN conversations c ON c.id = x.conversation_id WHERE " +
             named(user_id) + " AND x.created_at >= :since ORDER BY x.created_at DESC, x.conversation_id DESC LIMIT 1",
        soci::use(owner, "owner"), soci::use(key, "key"), soci::use(live_since, "since"),
        soci::into(row.conversation_id), soci::into(row.token_hash), soci::into(row.sealed_token),
        soci::into(row.created_at);
    if (!s.got_data())
        return std::nullopt;
    return row;
}

share_row upsert_share(soci::session& s, const share_row& row, long long live_since)
{
    // One statement: a row that another share stored a moment ago, or that
    // a revoke deleted a moment ago, is settled by the database (PostgreSQL
    // retries an insert whose conflicting row went), never by a second look
    // that may come too late. An expired link is replaced in place.
    const std::string expired = "conversation_shares.created_at < ";
    share_row stored;
    stored.conversation_id = row.conversation_id;
    s << "INSERT INTO conversation_shares (conversation_id, token_hash, sealed_token, created_at) "
         "VALUES (:conv, :hash, :sealed, :now) ON CONFLICT (conversation_id) DO UPDATE SET "
         "token_hash = CASE WHEN " +
             expired +
             ":since_hash THEN excluded.token_hash ELSE conversation_shares.token_hash END, "
             "sealed_token = CASE WHEN " +
             expired +
             ":since_sealed THEN excluded.sealed_token ELSE conversation_shares.sealed_token END, "
             "created_at = CASE WHEN " +
             expired +
             ":since_created THEN excluded.created_at ELSE conversation_shares.created_at END "
             "RETURNING token_hash, sealed_token, created_at",
        soci::use(row.conversation_id, "conv"), soci::use(row.token_hash, "hash"),
        soci::use(row.sealed_token, "sealed"), soci::use(row.created_at, "now"), soci::use(live_since, "since_hash"),
        soci::use(live_since, "since_sealed"), soci::use(live_since, "since_created"), soci::into(stored.token_hash),
        soci::into(stored.sealed_token), soci::into(stored.created_at);
    return stored;
}

bool replace_share(soci::session& s, const share_row& row, const std::string& old_hash)
{
    soci::statement st =
        (s.prepare << "UPDATE conversation_shares SET token_hash = :hash, sealed_token = :sealed, created_at = :now "
                      "WHERE conversation_id = :conv AND token_hash = :old",
         soci::use(row.token_hash, "hash"), soci::use(row.sealed_token, "sealed"), soci::use(row.created_at, "now"),
         soci::use(row.conversation_id, "conv"), soci::use(old_hash, "old"));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

void delete_shares(soci::session& s, const std::string& user_id, const std::string& session_id, const std::string& key)
{
    const auto& owner = owner_of(user_id, session_id);
    s << "DELETE FROM conversation_shares WHERE conversation_id IN (SELECT c.id FROM conversations c WHERE " +
             named(user_id) + ")",
        soci::use(owner, "owner"), soci::use(key, "key");
}

int keep_one_link_per_name(soci::session& s, const std::string& user_id)
{
    soci::statement st =
        (s.prepare
             << "DELETE FROM conversation_shares WHERE conversation_id IN (SELECT x.conversation_id FROM "
                "conversation_shares x JOIN conversations c ON c.id = x.conversation_id WHERE c.user_id = :user "
                "AND EXISTS (SELECT 1 FROM conversation_shares y JOIN conversations d ON d.id = y.conversation_id "
                "WHERE d.user_id = :same_user AND d.client_key = c.client_key AND y.conversation_id <> "
                "x.conversation_id AND (y.created_at > x.created_at OR (y.created_at = x.created_at AND "
                "y.conversation_id > x.conversation_id))))",
         soci::use(user_id, "user"), soci::use(user_id, "same_user"));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

long long expires_at(soci::session& s, const share_row& row, link_lifetime lifetime)
{
    // Typed binds, not rows: SQLite and PostgreSQL describe integer columns
    // differently.
    std::string user;
    soci::indicator user_ind = soci::i_null;
    long long created = 0, last = 0;
    soci::indicator last_ind = soci::i_null;
    s << "SELECT c.user_id, c.created_at, (SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id) "
         "FROM conversations c WHERE c.id = :conv",
        soci::use(row.conversation_id, "conv"), soci::into(user, user_ind), soci::into(created),
        soci::into(last, last_ind);
    bool anonymous = s.got_data() && user_ind != soci::i_ok;
    return expiry(row.created_at, anonymous, created, last_ind == soci::i_ok ? last : 0, lifetime);
}

std::vector<listed_share> list_shares(soci::session& s, const std::string& user_id, const std::string& session_id,
                                      long long now, link_lifetime lifetime)
{
    std::vector<listed_share> out;
    const auto& owner = owner_of(user_id, session_id);
    if (owner.empty())
        return out;
    const long long live_since = now - lifetime.lifetime_s;
    listed_share row;
    std::string user;
    soci::indicator user_ind = soci::i_null;
    long long conversation_created = 0, last = 0;
    soci::indicator last_ind = soci::i_null;
    soci::statement st =
        (s.prepare << "SELECT c.client_key, x.created_at, c.user_id, c.created_at, (SELECT MAX(m.created_at) FROM "
                      "messages m WHERE m.conversation_id = c.id) FROM conversation_shares x JOIN conversations c ON "
                      "c.id = x.conversation_id WHERE c." +
                          owner_column(user_id) +
                          " = :owner AND x.created_at >= :since ORDER BY x.created_at DESC, x.conversation_id DESC",
         soci::use(owner, "owner"), soci::use(live_since, "since"), soci::into(row.key), soci::into(row.created_at),
         soci::into(user, user_ind), soci::into(conversation_created), soci::into(last, last_ind));
    st.execute();
    std::set<std::string> seen;
    while (st.fetch()) {
        row.expires_at = expiry(row.created_at, user_ind != soci::i_ok, conversation_created,
                                last_ind == soci::i_ok ? last : 0, lifetime);
        if (row.expires_at > now && seen.insert(row.key).second)
            out.push_back(row);
    }
    return out;
}

std::optional<shared_conversation> find_shared(soci::session& s, const std::string& token_hash, long long now,
                                               link_lifetime lifetime, int limit, std::size_t max_bytes)
{
    const long long live_since = now - lifetime.lifetime_s;
    std::string conversation, stored_hash, user, session, key;
    soci::indicator user_ind = soci::i_null, session_ind = soci::i_null, last_ind = soci::i_null;
    long long conversation_created = 0, last = 0;
    shared_conversation out;
    s << "SELECT x.conversation_id, x.token_hash, x.created_at, c.user_id, c.session_id, c.client_key, c.created_at, "
         "(SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id) FROM conversation_shares x "
         "JOIN conversations c ON c.id = x.conversation_id WHERE x.token_hash = :hash AND x.created_at >= :since",
        soci::use(token_hash, "hash"), soci::use(live_since, "since"), soci::into(conversation),
        soci::into(stored_hash), soci::into(out.shared_at), soci::into(user, user_ind),
        soci::into(session, session_ind), soci::into(key), soci::into(conversation_created), soci::into(last, last_ind);
    if (!s.got_data() || !security::equal_constant_time(stored_hash, token_hash))
        return std::nullopt;
    // An anonymous conversation past retention is gone even before a
    // pruning pass deletes it: a link never outlives what it shows.
    out.expires_at = expiry(out.shared_at, user_ind != soci::i_ok, conversation_created,
                            last_ind == soci::i_ok ? last : 0, lifetime);
    if (out.expires_at <= now)
        return std::nullopt;

    // What history shows under this name: every row of the owner's called
    // so, the row itself when its owner is gone (a session pruned).
    const bool by_user = user_ind == soci::i_ok;
    const std::string owner = by_user ? user : session_ind == soci::i_ok ? session : std::string();
    const std::string rows = std::string("(c.id = :conv OR (c.") + (by_user ? "user_id" : "session_id") +
                             " = :owner AND c.client_key = :key))";

    // How many of the newest fit, from their sizes alone: a long
    // conversation's text never reaches this process whole. LENGTH counts
    // characters, so the loop below checks the bytes again.
    const int fetch = limit + 1; // one more than shown says whether any were left out
    int fits = 0;
    {
        long long size = 0;
        std::size_t total = 0;
        soci::statement sizes =
            (s.prepare << "SELECT LENGTH(m.content) + COALESCE(LENGTH(m.sources), 0) FROM messages m JOIN "
                          "conversations c ON c.id = m.conversation_id WHERE " +
                              rows + " ORDER BY m.created_at DESC, m.id DESC LIMIT :limit",
             soci::use(conversation, "conv"), soci::use(owner, "owner"), soci::use(key, "key"),
             soci::use(fetch, "limit"), soci::into(size));
        sizes.execute();
        while (sizes.fetch()) {
            if (fits == limit || total + static_cast<std::size_t>(size) > max_bytes) {
                out.earlier_left_out = true;
                break;
            }
            total += static_cast<std::size_t>(size);
            ++fits;
        }
    }
    if (fits == 0)
        return out;

    shared_message m;
    soci::indicator sources_ind = soci::i_null;
    soci::statement st =
        (s.prepare << "SELECT m.role, m.content, m.sources, m.status, m.created_at FROM messages m JOIN "
                      "conversations c ON c.id = m.conversation_id WHERE " +
                          rows + " ORDER BY m.created_at DESC, m.id DESC LIMIT :limit",
         soci::use(conversation, "conv"), soci::use(owner, "owner"), soci::use(key, "key"), soci::use(fits, "limit"),
         soci::into(m.role), soci::into(m.content), soci::into(m.sources_json, sources_ind), soci::into(m.status),
         soci::into(m.created_at_ms));
    st.execute();
    std::size_t bytes = 0;
    while (st.fetch()) {
        if (sources_ind != soci::i_ok)
            m.sources_json.clear();
        auto size = m.content.size() + m.sources_json.size();
        if (bytes + size > max_bytes) { // characters counted above, bytes here
            out.earlier_left_out = true;
            break;
        }
        bytes += size;
        out.messages.push_back(m);
    }
    std::reverse(out.messages.begin(), out.messages.end());
    return out;
}

} // namespace chatkit::store::share_repo
