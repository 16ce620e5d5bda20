#pragma once

#include <cstddef>
#include <string>

namespace chatkit::security {

// Makes libsodium usable; idempotent, thread-safe. Throws when the library
// cannot be initialised (no entropy source).
void init_sodium();

// `bytes` bytes from randombytes_buf, URL-safe base64 without padding.
[[nodiscard]] std::string random_urlsafe(std::size_t bytes);

} // namespace chatkit::security
