#include "chatkit/middleware/request_id.hpp"

#include <sodium.h>

#include <array>

namespace chatkit::middleware {

bool request_id::acceptable(std::string_view v)
{
    if (v.empty() || v.size() > 128)
        return false;
    for (unsigned char c : v)
        if (c < 0x21 || c > 0x7e)
            return false;
    return true;
}

// A request id names a request in logs and error bodies and may be seen by
// others who see the reply, so it must not let anyone predict another
// client's id: 16 bytes from libsodium's CSPRNG (a seeded Mersenne Twister
// can be recovered from a few outputs). One randombytes_buf() call fills a
// per-thread buffer for 256 ids; a call per request cost a getrandom(2).
std::string request_id::generate()
{
    constexpr std::size_t id_bytes = 16;
    struct random_pool {
        std::array<unsigned char, 256 * id_bytes> bytes;
        std::size_t used = sizeof bytes;
    };
    thread_local random_pool pool;
    if (pool.used == pool.bytes.size()) {
        randombytes_buf(pool.bytes.data(), pool.bytes.size());
        pool.used = 0;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(2 * id_bytes, '0');
    auto* raw = pool.bytes.data() + pool.used;
    for (std::size_t i = 0; i < id_bytes; ++i) {
        id[2 * i] = hex[raw[i] >> 4];
        id[2 * i + 1] = hex[raw[i] & 15];
    }
    pool.used += id_bytes;
    return id;
}

std::optional<http::reply> request_id::before(http::request& req, http::request_context& ctx) const
{
    auto client = req.headers.get("X-Request-ID");
    ctx.request_id = client && acceptable(*client) ? std::string(*client) : generate();
    return std::nullopt;
}

void request_id::after(const http::request&, const http::request_context& ctx, http::reply& r) const
{
    r.headers.add("X-Request-ID", ctx.request_id); // only this layer writes it
}

} // namespace chatkit::middleware
