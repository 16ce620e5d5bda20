#include "chatkit/services/session_cache.hpp"

namespace chatkit::services {

bool session_cache::enabled() const
{
    std::lock_guard lock(mutex_);
    return enabled_;
}

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
    // Full: start over rather than track age; the next checks refill it.
    if (by_hash_.size() >= capacity)
        by_hash_.clear();
    by_hash_.insert_or_assign(token_hash, std::move(value));
}

void session_cache::touched(const std::string& token_hash, long long now)
{
    std::lock_guard lock(mutex_);
    if (auto it = by_hash_.find(token_hash); it != by_hash_.end())
        it->second.session.last_seen_at = now;
}

void session_cache::forget_where(const auto& matches)
{
    ++generation_;
    std::erase_if(by_hash_, [&](const auto& entry) { return matches(entry.second); });
}

void session_cache::forget_session(const std::string& session_id)
{
    std::lock_guard lock(mutex_);
    forget_where([&](const identity& i) { return i.session.id == session_id; });
}

void session_cache::forget_user(const std::string& user_id)
{
    std::lock_guard lock(mutex_);
    forget_where([&](const identity& i) { return i.session.user_id == user_id; });
}

void session_cache::notice(std::string_view payload)
{
    if (payload.starts_with("s:"))
        forget_session(std::string(payload.substr(2)));
    else if (payload.starts_with("u:"))
        forget_user(std::string(payload.substr(2)));
    else {
        // Not ours to read: be safe.
        std::lock_guard lock(mutex_);
        forget_where([](const identity&) { return true; });
    }
}

void session_cache::listening(bool up)
{
    std::lock_guard lock(mutex_);
    enabled_ = up;
    forget_where([](const identity&) { return true; });
}

std::size_t session_cache::size() const
{
    std::lock_guard lock(mutex_);
    return by_hash_.size();
}

} // namespace chatkit::services
