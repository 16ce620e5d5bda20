#pragma once

#include "chatkit/store/share_repo.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace chatkit::store {
class db_executor;
}
namespace chatkit::security {
class keyring;
}

namespace chatkit::services {

class stream_journal;

struct share_settings {
    // SHARE_LINK_LIFETIME: how long a link opens after it was made, whoever
    // owns the conversation.
    std::chrono::seconds link_lifetime{30 * 24 * 3600};
    // RETENTION_ANONYMOUS_CHATS: how long an anonymous conversation, and so
    // its link, outlives its last message.
    std::chrono::seconds anonymous_retention{30 * 24 * 3600};
    // The newest messages a shared page shows; a conversation is at most a
    // few hundred (chat limits), and the page should stay one page.
    int page_messages = 200;
    // And at most this much of their text (content and sources): a view
    // costs bounded memory and time however long the answers were.
    std::size_t page_bytes = 512 * 1024;
};

// Read-only links to conversations (API.md "Shared conversations"): their
// owner makes one (the same one again while it lives), lists and revokes
// them; anyone holding one reads the conversation until it expires. The
// owner, and what counts as one conversation, follow the history's rules:
// the account's for a user, else the anonymous session's, every row under
// one client name (store/share_repo.hpp).
class chat_shares {
public:
    chat_shares(store::db_executor& db, const security::keyring& keys, stream_journal& journal, share_settings settings)
        : db_(db), keys_(keys), journal_(journal), settings_(settings)
    {
    }

    struct link {
        std::string id;           // the secret: /c/<id>
        long long created_at = 0; // Unix seconds
        long long expires_at = 0; // Unix seconds
    };
    // The link of the caller's conversation `key`, made on first use (and
    // again once the last one expired); nullopt when the caller has no such
    // conversation.
    boost::asio::awaitable<std::optional<link>> share(const std::string& user_id, const std::string& session_id,
                                                      const std::string& key);
    // false when the caller has no such conversation; true also when it had
    // no link.
    boost::asio::awaitable<bool> revoke(const std::string& user_id, const std::string& session_id,
                                        const std::string& key);
    // The caller's live links, newest first, one per conversation.
    boost::asio::awaitable<std::vector<store::share_repo::listed_share>> list(const std::string& user_id,
                                                                              const std::string& session_id);
    // The conversation behind a link's id; nullopt for an id of another
    // shape, an unknown, revoked or expired one, or one whose conversation
    // has gone.
    boost::asio::awaitable<std::optional<store::share_repo::shared_conversation>> read(const std::string& id);

private:
    boost::asio::awaitable<std::optional<std::string>>
    conversation_of(const std::string& user_id, const std::string& session_id, const std::string& key);
    [[nodiscard]] store::share_repo::link_lifetime lifetime() const
    {
        return {settings_.link_lifetime.count(), settings_.anonymous_retention.count()};
    }

    store::db_executor& db_;
    const security::keyring& keys_;
    stream_journal& journal_;
    share_settings settings_;
};

} // namespace chatkit::services
