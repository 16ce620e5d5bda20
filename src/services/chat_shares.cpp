#include "chatkit/services/chat_shares.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/services/stream_journal.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

namespace chatkit::services {

namespace repo = store::share_repo;

boost::asio::awaitable<std::optional<std::string>>
chat_shares::conversation_of(const std::string& user_id, const std::string& session_id, const std::string& key)
{
    auto find = [&](soci::session& s) {
        return repo::find_conversation(s, user_id, session_id, key);
    };
    auto found = co_await db_.read(find);
    if (found)
        co_return found;
    // A turn that ended a moment ago may still be on its way to the
    // database (the journal writes in batches): the widget offers a hand-off
    // right after the answer that prompted it.
    co_await journal_.settled();
    co_return co_await db_.read(find);
}

boost::asio::awaitable<std::optional<chat_shares::link>>
chat_shares::share(const std::string& user_id, const std::string& session_id, const std::string& key)
{
    auto conversation = co_await conversation_of(user_id, session_id, key);
    if (!conversation)
        co_return std::nullopt;
    // Made before asking whether the conversation has one: the crypto is
    // cheap, and the insert then settles a race of two shares by itself.
    link out;
    out.id = security::new_token();
    repo::share_row fresh;
    fresh.conversation_id = *conversation;
    fresh.token_hash = keys_.token_hash(out.id);
    fresh.sealed_token = keys_.seal(out.id);
    fresh.created_at = util::now_seconds();
    auto retention = settings_.anonymous_retention.count();
    co_await db_.write([&](soci::session& s) {
        if (!repo::insert_share(s, fresh)) {
            auto kept = repo::find_share(s, fresh.conversation_id);
            std::optional<std::string> id;
            if (kept)
                id = keys_.open(kept->sealed_token);
            if (id) {
                out.id = std::move(*id);
                out.created_at = kept->created_at;
            } else if (kept) {
                // Sealed under a key this server no longer has: that link
                // cannot be opened any more, so it is replaced.
                repo::replace_share(s, fresh);
            } else {
                repo::insert_share(s, fresh); // revoked in between
            }
        }
        if (out.created_at == 0)
            out.created_at = fresh.created_at;
        out.expires_at = repo::expires_at(s, fresh.conversation_id, retention);
    });
    co_return out;
}

boost::asio::awaitable<bool> chat_shares::revoke(const std::string& user_id, const std::string& session_id,
                                                 const std::string& key)
{
    if (!co_await conversation_of(user_id, session_id, key))
        co_return false;
    co_await db_.write([&](soci::session& s) { repo::delete_shares(s, user_id, session_id, key); });
    co_return true;
}

boost::asio::awaitable<std::optional<repo::shared_conversation>> chat_shares::read(const std::string& id)
{
    // Not of our shape: refused without touching the database.
    if (!security::token_shaped(id))
        co_return std::nullopt;
    auto hashes = keys_.token_hashes(id); // current key first, then SECRET_KEY_PREVIOUS
    auto idle_cutoff_ms = (util::now_seconds() - settings_.anonymous_retention.count()) * 1000;
    auto limit = settings_.page_messages;
    co_return co_await db_.read([&](soci::session& s) -> std::optional<repo::shared_conversation> {
        for (const auto& hash : hashes)
            if (auto found = repo::find_shared(s, hash, idle_cutoff_ms, limit))
                return found;
        return std::nullopt;
    });
}

} // namespace chatkit::services
