#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::security {

// Keys derived from SECRET_KEY (and SECRET_KEY_PREVIOUS while rotating). The
// raw secret is hashed once into a master key; each use gets its own subkey
// (libsodium KDF), so a token hash can never be confused with a sealed
// outbox body.
class keyring {
public:
    explicit keyring(std::string_view secret_key, std::string_view previous_key = {});

    // Keyed BLAKE2b of a token, hex; current key first, then the previous one.
    [[nodiscard]] std::vector<std::string> token_hashes(std::string_view token) const;
    [[nodiscard]] std::string token_hash(std::string_view token) const;

    // XSalsa20-Poly1305 (crypto_secretbox) with the current key; open() also tries
    // the previous key. Used for mail bodies that must wait in the outbox.
    [[nodiscard]] std::string seal(std::string_view plaintext) const;
    [[nodiscard]] std::optional<std::string> open(std::string_view sealed) const;

private:
    struct keys {
        std::array<unsigned char, 32> token;
        std::array<unsigned char, 32> box;
    };
    static keys derive(std::string_view secret);
    std::vector<keys> keys_;
};

// 32 bytes of libsodium randomness, URL-safe base64 (43 characters).
[[nodiscard]] std::string new_token();

// Whether a client-supplied string has the shape of one of our tokens; a
// string that does not is refused without touching the database.
[[nodiscard]] bool token_shaped(std::string_view token);

// A random RFC 4122 version 4 UUID.
[[nodiscard]] std::string new_uuid();

// Constant-time equality of two equal-length strings.
[[nodiscard]] bool equal_constant_time(std::string_view a, std::string_view b);

} // namespace chatkit::security
