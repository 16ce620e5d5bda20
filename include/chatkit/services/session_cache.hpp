#pragma once

#include "chatkit/store/identity_repo.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chatkit::services {

// Sessions this instance has checked, by token hash, so that a session
// check needs no database round trip. Only safe while every change to a
// session or its user reaches every instance: on PostgreSQL through the
// notices of store::session_notices. While they do not arrive (the
// listening connection is down, or was down: notices may be lost), the
// cache is off and every check reads the database.
class session_cache {
public:
    struct identity {
        store::identity_repo::session_row session;
        std::optional<store::identity_repo::user_row> user;
    };

    // Any invalidation moves it on: a read of the database that began
    // before it must not be cached.
    [[nodiscard]] std::uint64_t generation() const;
    [[nodiscard]] std::optional<identity> find(const std::string& token_hash) const;
    void put(const std::string& token_hash, identity value, std::uint64_t read_at_generation);
    void touched(const std::string& token_hash, long long now);

    void forget_session(const std::string& session_id);
    void forget_user(const std::string& user_id);
    // A notice from the channel: "s:<session id>" or "u:<user id>".
    void notice(std::string_view payload);
    // The notice connection came up (the cache starts empty) or went down.
    void listening(bool up);

    [[nodiscard]] std::size_t size() const;
    static constexpr std::size_t capacity = 100'000;

private:
    // Each O(1) or O(sessions of that user): a forget runs on an I/O
    // thread and under the lock every check takes.
    void erase(const std::string& token_hash);
    void clear();
    mutable std::mutex mutex_;
    bool enabled_ = false;
    std::uint64_t generation_ = 0;
    std::unordered_map<std::string, identity> by_hash_;
    std::unordered_map<std::string, std::string> hash_of_session_;
    std::unordered_multimap<std::string, std::string> hashes_of_user_;
};

} // namespace chatkit::services
