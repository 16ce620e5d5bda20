#include "chatkit/services/identity.hpp"

#include "chatkit/services/session_cache.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/history_repo.hpp"
#include "chatkit/store/identity_repo.hpp"
#include "chatkit/store/outbox_repo.hpp"
#include "chatkit/store/user_data_repo.hpp"
#include "chatkit/util/time.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chatkit::services {

namespace repo = store::identity_repo;

namespace {

// last_seen_at is written at most once a minute per session: session checks
// stay reads, and idle expiry (hours) does not need finer steps.
constexpr long long touch_interval = 60;

std::optional<repo::session_row> find_session(soci::session& s, const std::vector<std::string>& hashes)
{
    for (const auto& h : hashes)
        if (auto row = repo::find_session_by_hash(s, h))
            return row;
    return std::nullopt;
}

} // namespace

identity_service::identity_service(store::db_executor& db, const security::keyring& keys, identity_settings settings,
                                   session_hooks hooks, session_cache* cache)
    : db_(db), keys_(keys), settings_(std::move(settings)), hooks_(std::move(hooks)), cache_(cache)
{
}

boost::asio::awaitable<issued_session> identity_service::start_anonymous()
{
    auto now = util::now_seconds();
    issued_session out{security::new_token(), security::new_uuid(), now + settings_.session_lifetime.count()};
    repo::session_row row{out.session_id, keys_.token_hash(out.token), std::nullopt, now, now, out.expires_at, false};
    co_await db_.write([&](soci::session& s) { repo::insert_session(s, row); });
    out.expires_at = std::min(out.expires_at, now + settings_.session_idle.count());
    co_return out;
}

boost::asio::awaitable<void> identity_service::send_link(const std::string& email, bool consent, bool require_existing,
                                                         const std::string& link_base)
{
    auto now = util::now_seconds();
    auto token = security::new_token();
    repo::verification_row verification{security::new_uuid(), keys_.token_hash(token), email,
                                        now + settings_.verify_ttl.count(), false};
    auto link = (link_base.empty() ? settings_.verify_url : link_base) + "#chatkit_verify=" + token;
    auto minutes = settings_.verify_ttl.count() / 60;
    std::string body = "Hello,\r\n\r\nopen this link to confirm your email address and sign in to ChatKit:\r\n\r\n" +
                       link + "\r\n\r\nThe link works once, for " + std::to_string(minutes) +
                       " minutes. If you did not ask for it, ignore this message.\r\n";
    store::outbox_repo::mail_row mail{security::new_uuid(), email, "Your ChatKit sign-in link", keys_.seal(body), 0};

    bool queued = co_await db_.write([&](soci::session& s) {
        soci::transaction tx(s);
        if (require_existing && !repo::find_user_by_email(s, email))
            return false;
        repo::ensure_user(s, email, now, consent);
        repo::invalidate_verifications(s, email, now);
        repo::insert_verification(s, verification, now);
        store::outbox_repo::insert(s, mail, now);
        tx.commit();
        return true;
    });
    if (queued && hooks_.mail_queued)
        hooks_.mail_queued();
}

boost::asio::awaitable<result<verified_login>> identity_service::verify(const std::string& token)
{
    if (!security::token_shaped(token))
        co_return errc::invalid_token;
    auto hashes = keys_.token_hashes(token);
    auto now = util::now_seconds();
    auto session_token = security::new_token();
    auto session_id = security::new_uuid();
    auto session_hash = keys_.token_hash(session_token);
    auto expires_at = now + settings_.session_lifetime.count();

    std::string user_id;
    auto login = co_await db_.write([&](soci::session& s) -> result<verified_login> {
        soci::transaction tx(s);
        std::optional<repo::verification_row> row;
        for (const auto& h : hashes)
            if ((row = repo::find_verification_by_hash(s, h)))
                break;
        if (!row || row->used)
            return errc::invalid_token;
        if (row->expires_at <= now)
            return errc::token_expired;
        // Conditional update: of two simultaneous verifies, one wins.
        if (!repo::consume_verification(s, row->id, now))
            return errc::invalid_token;
        auto user = repo::ensure_user(s, row->email, now, false);
        user_id = user.id;
        repo::mark_verified(s, user.id, now);
        repo::insert_session(s, {session_id, session_hash, user.id, now, now, expires_at, false});
        auto tier = repo::find_user(s, user.id)->tier;
        tx.commit();
        return verified_login{
            {session_token, session_id, std::min(expires_at, now + settings_.session_idle.count())}, user.email, tier};
    });
    // Verified: the user's other sessions have a new tier now.
    if (cache_ && login)
        cache_->forget_user(user_id);
    co_return login;
}

boost::asio::awaitable<std::optional<http::principal>> identity_service::authenticate(const std::string& token)
{
    if (!security::token_shaped(token))
        co_return std::nullopt;
    auto hashes = keys_.token_hashes(token);
    auto now = util::now_seconds();
    auto idle = settings_.session_idle.count();

    using found = session_cache::identity;
    const auto& key = hashes.front();
    std::optional<found> hit = cache_ ? cache_->find(key) : std::nullopt;
    // Another instance may have kept it alive since: an idle verdict comes
    // from the database, never from the cache.
    if (hit && hit->session.last_seen_at + idle <= now)
        hit.reset();
    if (!hit) {
        // Taken before the read: a change that lands while it runs keeps
        // its result out of the cache.
        auto generation = cache_ ? cache_->generation() : 0;
        hit = co_await db_.read([&](soci::session& s) -> std::optional<found> {
            auto session = find_session(s, hashes);
            if (!session || session->revoked)
                return std::nullopt;
            found f{*session, std::nullopt};
            if (session->user_id)
                f.user = repo::find_user(s, *session->user_id);
            return f;
        });
        if (hit && cache_)
            cache_->put(key, *hit, generation);
    }
    if (!hit || hit->session.expires_at <= now || hit->session.last_seen_at + idle <= now ||
        (hit->session.user_id && !hit->user))
        co_return std::nullopt;
    if (now - hit->session.last_seen_at >= touch_interval) {
        auto id = hit->session.id;
        co_await db_.write([&](soci::session& s) { repo::touch_session(s, id, now); });
        hit->session.last_seen_at = now;
        if (cache_)
            cache_->touched(key, now);
    }
    http::principal p;
    p.session_id = hit->session.id;
    p.expires_at = std::min(hit->session.expires_at, hit->session.last_seen_at + idle);
    if (hit->user) {
        p.user_id = hit->user->id;
        p.email = hit->user->email;
        // A tier no limit is configured for gets the strictest: it can only
        // come from a database written by something else than this server.
        auto tier = http::parse_tier(hit->user->tier);
        if (!tier)
            spdlog::error("user {} has an unknown tier '{}'; anonymous limits apply", hit->user->id, hit->user->tier);
        p.tier = hit->user->verified ? tier.value_or(http::access_tier::anonymous) : http::access_tier::anonymous;
    } else {
        p.tier = http::access_tier::anonymous;
    }
    co_return p;
}

boost::asio::awaitable<result<issued_session>> identity_service::refresh(const http::principal& caller)
{
    auto now = util::now_seconds();
    issued_session out{security::new_token(), security::new_uuid(), 0};
    auto hash = keys_.token_hash(out.token);
    auto old_id = caller.session_id;
    std::optional<std::string> user_id;
    if (!caller.anonymous())
        user_id = caller.user_id;
    auto rotated = co_await db_.write([&](soci::session& s) -> result<issued_session> {
        soci::transaction tx(s);
        // Rotation keeps the absolute lifetime: refreshing cannot make a
        // session immortal.
        auto expires_at = repo::session_expiry(s, old_id);
        if (!expires_at || !repo::revoke_session(s, old_id, now))
            return errc::session_expired;
        repo::insert_session(s, {out.session_id, hash, user_id, now, now, *expires_at, false});
        // The conversation and the answers on their way follow the session.
        repo::transfer_conversations(s, old_id, out.session_id);
        store::chat_repo::transfer_streams(s, old_id, out.session_id);
        tx.commit();
        out.expires_at = std::min(*expires_at, now + settings_.session_idle.count());
        return out;
    });
    if (rotated && cache_)
        cache_->forget_session(old_id);
    if (rotated && hooks_.rotated)
        hooks_.rotated(old_id, out.session_id);
    co_return rotated;
}

boost::asio::awaitable<void> identity_service::delete_account(const std::string& user_id)
{
    if (cache_)
        cache_->forget_user(user_id);
    auto sessions = co_await db_.write([&](soci::session& s) {
        soci::transaction tx(s);
        std::vector<std::string> ids;
        if (auto user = repo::find_user(s, user_id))
            ids = store::user_data_repo::delete_user(s, *user);
        tx.commit();
        return ids;
    });
    if (cache_)
        cache_->forget_user(user_id);
    if (hooks_.ended)
        for (const auto& id : sessions)
            hooks_.ended(id);
}

boost::asio::awaitable<void> identity_service::logout(const http::principal& caller)
{
    auto now = util::now_seconds();
    auto id = caller.session_id;
    // Forgotten here first: whatever happens below, this instance asks the
    // database next time. The revocation and its notice commit together.
    if (cache_)
        cache_->forget_session(id);
    co_await db_.write([&](soci::session& s) {
        soci::transaction tx(s);
        repo::revoke_session(s, id, now);
        tx.commit();
    });
    if (cache_)
        cache_->forget_session(id);
    if (hooks_.ended)
        hooks_.ended(id);
}

boost::asio::awaitable<result<int>> identity_service::migrate(const http::principal& user,
                                                              const std::string& anon_token)
{
    if (!security::token_shaped(anon_token))
        co_return errc::session_not_found;
    auto hashes = keys_.token_hashes(anon_token);
    auto now = util::now_seconds();
    auto chat_id = security::new_uuid();
    auto user_id = user.user_id;
    auto idle = settings_.session_idle.count();
    // Answers that ended a moment ago may still wait for the journal's next
    // batch: let them reach the database, so the move includes them.
    if (hooks_.settle)
        co_await hooks_.settle();
    std::string anon_id;
    auto moved = co_await db_.write([&](soci::session& s) -> result<int> {
        soci::transaction tx(s);
        auto anon = find_session(s, hashes);
        if (!anon || anon->user_id || anon->revoked || anon->expires_at <= now || anon->last_seen_at + idle <= now)
            return errc::session_not_found;
        // Conditional: a second migrate of the same token, even at the same
        // moment, finds it already revoked.
        if (!repo::revoke_session(s, anon->id, now, chat_id))
            return errc::session_not_found;
        anon_id = anon->id;
        auto count =
            store::history_repo::move_to_saved_chat(s, anon->id, user_id, chat_id, "Conversation before sign-in", now);
        tx.commit();
        return count;
    });
    if (cache_ && moved)
        cache_->forget_session(anon_id);
    co_return moved;
}

boost::asio::awaitable<result<bool>> identity_service::verified(const http::principal& caller)
{
    if (caller.anonymous())
        co_return false;
    auto id = caller.user_id;
    auto user = co_await db_.read([&](soci::session& s) { return repo::find_user(s, id); });
    if (!user)
        co_return errc::session_expired;
    co_return user->verified;
}

} // namespace chatkit::services
