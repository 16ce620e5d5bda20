#pragma once

#include "chatkit/store/share_repo.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace chatkit::store {
class db_executor;
}
namespace chatkit::security {
class keyring;
}

namespace chatkit::services {

class stream_journal;

struct share_settings {
    // RETENTION_ANONYMOUS_CHATS: how long an anonymous conversation, and so
    // its link, outlives its last message.
    std::chrono::seconds anonymous_retention{30 * 24 * 3600};
    // The newest messages a shared page shows; a conversation is at most a
    // few hundred (chat limits), and the page should stay one page.
    int page_messages = 200;
};

// Read-only links to conversations (API.md "Shared conversations"): their
// owner makes one (the same one again while it lives) and revokes it;
// anyone holding it reads the conversation. The owner is the caller who may
// read the conversation's history: the account for a user, else the
// anonymous session. A link lives as long as its conversation.
class chat_shares {
public:
    chat_shares(store::db_executor& db, const security::keyring& keys, stream_journal& journal, share_settings settings)
        : db_(db), keys_(keys), journal_(journal), settings_(settings)
    {
    }

    struct link {
        std::string id;           // the secret: /c/<id>
        long long created_at = 0; // Unix seconds
        long long expires_at = 0; // Unix seconds; 0 while the conversation is kept without end
    };
    // The link of the caller's conversation `key`, made on first use;
    // nullopt when the caller has no such conversation.
    boost::asio::awaitable<std::optional<link>> share(const std::string& user_id, const std::string& session_id,
                                                      const std::string& key);
    // false when the caller has no such conversation; true also when it had
    // no link.
    boost::asio::awaitable<bool> revoke(const std::string& user_id, const std::string& session_id,
                                        const std::string& key);
    // The conversation behind a link's id; nullopt for an id of another
    // shape, an unknown or revoked one, or one whose conversation has gone.
    boost::asio::awaitable<std::optional<store::share_repo::shared_conversation>> read(const std::string& id);

private:
    boost::asio::awaitable<std::optional<std::string>>
    conversation_of(const std::string& user_id, const std::string& session_id, const std::string& key);

    store::db_executor& db_;
    const security::keyring& keys_;
    stream_journal& journal_;
    share_settings settings_;
};

} // namespace chatkit::services
