#include "chatkit/security/tokens.hpp"

#include "chatkit/security/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace chatkit::security {

namespace {

constexpr char kdf_context[crypto_kdf_CONTEXTBYTES] = {'c', 'h', 'a', 't', 'k', 'i', 't', '1'};

std::string to_hex(const unsigned char* data, std::size_t size)
{
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

} // namespace

keyring::keys keyring::derive(std::string_view secret)
{
    init_sodium();
    std::array<unsigned char, crypto_kdf_KEYBYTES> master{};
    crypto_generichash(master.data(), master.size(), reinterpret_cast<const unsigned char*>(secret.data()),
                       secret.size(), nullptr, 0);
    keys k{};
    crypto_kdf_derive_from_key(k.token.data(), k.token.size(), 1, kdf_context, master.data());
    crypto_kdf_derive_from_key(k.box.data(), k.box.size(), 2, kdf_context, master.data());
    sodium_memzero(master.data(), master.size());
    return k;
}

keyring::keyring(std::string_view secret_key, std::string_view previous_key)
{
    if (secret_key.empty())
        throw std::invalid_argument("keyring needs a secret key");
    keys_.push_back(derive(secret_key));
    if (!previous_key.empty())
        keys_.push_back(derive(previous_key));
}

std::string keyring::token_hash(std::string_view token) const
{
    std::array<unsigned char, 32> out{};
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       keys_.front().token.data(), keys_.front().token.size());
    return to_hex(out.data(), out.size());
}

std::vector<std::string> keyring::token_hashes(std::string_view token) const
{
    std::vector<std::string> out;
    for (const auto& k : keys_) {
        std::array<unsigned char, 32> h{};
        crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                           k.token.data(), k.token.size());
        out.push_back(to_hex(h.data(), h.size()));
    }
    return out;
}

std::string keyring::seal(std::string_view plaintext) const
{
    std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), nonce, keys_.front().box.data());
    return to_hex(reinterpret_cast<const unsigned char*>(out.data()), out.size());
}

std::optional<std::string> keyring::open(std::string_view sealed_hex) const
{
    std::string sealed(sealed_hex.size() / 2, '\0');
    std::size_t length = 0;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(sealed.data()), sealed.size(), sealed_hex.data(),
                       sealed_hex.size(), nullptr, &length, nullptr) != 0 ||
        length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return std::nullopt;
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    const auto* cipher = nonce + crypto_secretbox_NONCEBYTES;
    auto cipher_size = length - crypto_secretbox_NONCEBYTES;
    std::string plain(cipher_size - crypto_secretbox_MACBYTES, '\0');
    for (const auto& k : keys_)
        if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), cipher, cipher_size, nonce,
                                       k.box.data()) == 0)
            return plain;
    return std::nullopt;
}

std::string new_token()
{
    return random_urlsafe(32);
}

bool token_shaped(std::string_view token)
{
    if (token.size() != 43)
        return false;
    for (char c : token)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

std::string new_uuid()
{
    init_sodium();
    std::array<unsigned char, 16> b{};
    randombytes_buf(b.data(), b.size());
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    auto hex = to_hex(b.data(), b.size());
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

bool equal_constant_time(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace chatkit::security
