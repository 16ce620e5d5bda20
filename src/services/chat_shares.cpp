#include "chatkit/services/chat_shares.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/services/stream_journal.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

#include <stdexcept>

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
    // cheap, and the upsert then settles a race of two shares by itself.
    link out;
    repo::share_row fresh;
    fresh.conversation_id = *conversation;
    fresh.created_at = util::now_seconds();
    auto fresh_id = security::new_token();
    fresh.token_hash = keys_.token_hash(fresh_id);
    fresh.sealed_token = keys_.seal(fresh_id);
    const long long live_since = fresh.created_at - settings_.link_lifetime.count();
    const auto span = lifetime();
    co_await db_.write([&](soci::session& s) {
        // The live link of the conversation, wherever it is recorded (after
        // migrate-session, on either of its rows), else the one the
        // canonical row holds once `fresh` is offered to it: either way a
        // link the database stored, whatever shares and revokes run
        // meanwhile. A link sealed under a key this server no longer has
        // cannot be opened any more, so it is replaced; a revoke between the
        // look and the replacement sends the share round again.
        for (int attempt = 0; attempt < 4; ++attempt) {
            auto kept = repo::find_share(s, user_id, session_id, key, live_since);
            if (!kept)
                kept = repo::upsert_share(s, fresh, live_since);
            auto id = kept->token_hash == fresh.token_hash ? std::optional(fresh_id) : keys_.open(kept->sealed_token);
            if (id) {
                out = {std::move(*id), kept->created_at, repo::expires_at(s, *kept, span)};
                return;
            }
            auto replacement = fresh;
            replacement.conversation_id = kept->conversation_id;
            if (repo::replace_share(s, replacement, kept->token_hash)) {
                out = {fresh_id, fresh.created_at, repo::expires_at(s, replacement, span)};
                return;
            }
        }
        throw std::runtime_error("sharing a conversation: its link kept changing under concurrent shares and revokes");
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

boost::asio::awaitable<std::vector<repo::listed_share>> chat_shares::list(const std::string& user_id,
                                                                          const std::string& session_id)
{
    auto now = util::now_seconds();
    auto span = lifetime();
    co_return co_await db_.read([&](soci::session& s) { return repo::list_shares(s, user_id, session_id, now, span); });
}

boost::asio::awaitable<std::optional<repo::shared_conversation>> chat_shares::read(const std::string& id)
{
    // Not of our shape: refused without touching the database.
    if (!security::token_shaped(id))
        co_return std::nullopt;
    auto hashes = keys_.token_hashes(id); // current key first, then SECRET_KEY_PREVIOUS
    auto now = util::now_seconds();
    auto span = lifetime();
    auto limit = settings_.page_messages;
    auto max_bytes = settings_.page_bytes;
    co_return co_await db_.read([&](soci::session& s) -> std::optional<repo::shared_conversation> {
        for (const auto& hash : hashes)
            if (auto found = repo::find_shared(s, hash, now, span, limit, max_bytes))
                return found;
        return std::nullopt;
    });
}

} // namespace chatkit::services
