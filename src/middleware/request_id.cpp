#include "chatkit/middleware/request_id.hpp"

#include <sodium.h>

#include <random>

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

// Request ids only need to be unique, not secret: a per-thread generator
// seeded once from libsodium avoids a getrandom() call per request.
std::string request_id::generate()
{
    thread_local std::mt19937_64 engine = [] {
        std::seed_seq::result_type seed[4];
        randombytes_buf(seed, sizeof seed);
        std::seed_seq seq(std::begin(seed), std::end(seed));
        return std::mt19937_64(seq);
    }();
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (int half = 0; half < 2; ++half) {
        auto bits = engine();
        for (int i = 0; i < 16; ++i, bits >>= 4)
            id[std::size_t(half * 16 + i)] = hex[bits & 15];
    }
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
