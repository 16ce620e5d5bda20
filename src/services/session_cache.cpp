#include "chatkit/services/session_cache.hpp"

#include <vector>

namespace chatkit::services {

std::uint64_t session_cache::generation() const
{
    std::lock_guard lock(mutex_);
    return generation_;
}

std::optional<session_cache::identity> session_cache::find(const std::string& token_hash) const
{
    std::lock_guard lock(mutex_);
    if (!enabled_)
        return std::nullopt;
    auto it = by_hash_.find(token_hash);
    if (it == by_hash_.end())
        return std::nullopt;
    return it->second;
}

void session_cache::put(const std::string& token_hash, identity value, std::uint64_t read_at_generation)
{
    std::lock_guard lock(mutex_);
    if (!enabled_ || generation_ != read_at_generation)
        return;
    erase(token_hash);
    // Full: one entry makes room, whichever the table holds first; emptying
    // it would send every instance's checks to the database at once.
    if (by_hash_.size() >= capacity)
        erase(std::string(by_hash_.begin()->first));
    hash_of_session_.insert_or_assign(value.session.id, token_hash);
    if (value.session.user_id)
        hashes_of_user_.emplace(*value.session.user_id, token_hash);
    by_hash_.emplace(token_hash, std::move(value));
}

void session_cache::touched(const std::string& token_hash, long long now)
{
    std::lock_guard lock(mutex_);
    if (auto it = by_hash_.find(token_hash); it != by_hash_.end())
        it->second.session.last_seen_at = now;
}

void session_cache::erase(const std::string& token_hash)
{
    auto it = by_hash_.find(token_hash);
    if (it == by_hash_.end())
        return;
    hash_of_session_.erase(it->second.session.id);
    if (const auto& user = it->second.session.user_id) {
        auto [first, last] = hashes_of_user_.equal_range(*user);
        for (auto u = first; u != last; ++u)
            if (u->second == token_hash) {
                hashes_of_user_.erase(u);
                break;
            }
    }
    by_hash_.erase(it);
}

void session_cache::clear()
{
    ++generation_;
    by_hash_.clear();
    hash_of_session_.clear();
    hashes_of_user_.clear();
}

void session_cache::forget_session(const std::string& session_id)
{
    std::lock_guard lock(mutex_);
    ++generation_;
    if (auto it = hash_of_session_.find(session_id); it != hash_of_session_.end())
        erase(std::string(it->second));
}

void session_cache::forget_user(const std::string& user_id)
{
    std::lock_guard lock(mutex_);
    ++generation_;
    std::vector<std::string> hashes;
    auto [first, last] = hashes_of_user_.equal_range(user_id);
    for (auto it = first; it != last; ++it)
        hashes.push_back(it->second);
    for (const auto& h : hashes)
        erase(h);
}

void session_cache::notice(std::string_view payload)
{
    if (payload.starts_with("s:"))
        forget_session(std::string(payload.substr(2)));
    else if (payload.starts_with("u:"))
        forget_user(std::string(payload.substr(2)));
    else if (!payload.starts_with(store::identity_repo::ping_prefix)) {
        // Not a kind this version knows: be safe.
        std::lock_guard lock(mutex_);
        clear();
    }
}

void session_cache::listening(bool up)
{
    std::lock_guard lock(mutex_);
    enabled_ = up;
    clear();
}

std::size_t session_cache::size() const
{
    std::lock_guard lock(mutex_);
    return by_hash_.size();
}

} // namespace chatkit::services
