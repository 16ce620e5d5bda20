#pragma once

#include "chatkit/http/request.hpp"
#include "chatkit/util/result.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace chatkit::security {
class keyring;
}
namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

class session_cache;

struct identity_settings {
    std::chrono::seconds verify_ttl{600};
    std::chrono::seconds session_idle{24 * 3600};
    std::chrono::seconds session_lifetime{30 * 24 * 3600};
    std::string verify_url; // the link is verify_url + "#chatkit_verify=" + token
};

struct issued_session {
    std::string token;
    std::string session_id;
    long long expires_at = 0;
};

struct verified_login {
    issued_session session;
    std::string email;
    std::string tier;
};

// What the rest of the server learns of a session's life, on this instance
// (other instances learn it from the database: stream_journal).
struct session_hooks {
    std::function<void()> mail_queued;
    // A rotated token's session took over from `from`.
    std::function<void(const std::string& from, const std::string& to)> rotated;
    // Logged out: its open answers end now.
    std::function<void(const std::string& session_id)> ended;
    // Waits until the answers finished so far are in the database.
    std::function<boost::asio::awaitable<void>()> settle;
};

// Sign-up by email link, sessions and their life cycle. No HTTP here: the
// auth handler translates. Every token leaves this class once, to the
// caller; only keyed hashes are stored.
class identity_service {
public:
    // `cache`, when given, answers repeated session checks without the
    // database; this class tells it of every change it makes.
    identity_service(store::db_executor& db, const security::keyring& keys, identity_settings settings,
                     session_hooks hooks, session_cache* cache = nullptr);

    boost::asio::awaitable<issued_session> start_anonymous();

    // Sends a verification (or sign-in) link: writes the token and the
    // outbox row in one transaction. `require_existing` (resend) sends
    // nothing for an unknown address; the caller answers the same either way.
    // The link points at `link_base` (an accepted return_url), else at
    // PUBLIC_VERIFY_URL.
    boost::asio::awaitable<void> send_link(const std::string& email, bool consent, bool require_existing,
                                           const std::string& link_base = {});

    boost::asio::awaitable<result<verified_login>> verify(const std::string& token);

    // The caller a bearer token stands for, or nullopt for an unknown,
    // revoked or expired one.
    boost::asio::awaitable<std::optional<http::principal>> authenticate(const std::string& token);

    // Rotation: a new token for the same session owner; the old one dies.
    boost::asio::awaitable<result<issued_session>> refresh(const http::principal& caller);
    boost::asio::awaitable<void> logout(const http::principal& caller);
    // Deletes the user and everything kept about them (user_data_repo.hpp);
    // their tokens die here at once and on every instance with the commit,
    // and answers their sessions have open end.
    boost::asio::awaitable<void> delete_account(const std::string& user_id);

    // Moves the anonymous history into a saved chat of the user, once;
    // answers of that session still on their way join the chat when they end.
    boost::asio::awaitable<result<int>> migrate(const http::principal& user, const std::string& anon_token);

    boost::asio::awaitable<result<bool>> verified(const http::principal& caller);

private:
    store::db_executor& db_;
    const security::keyring& keys_;
    identity_settings settings_;
    session_hooks hooks_;
    session_cache* cache_;
};

} // namespace chatkit::services
