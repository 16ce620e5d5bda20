#include "chatkit/security/random.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace chatkit::security {

void init_sodium()
{
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium could not be initialised");
}

std::string random_urlsafe(std::size_t bytes)
{
    init_sodium();
    std::vector<unsigned char> raw(bytes);
    randombytes_buf(raw.data(), raw.size());
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(bytes, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
    out.resize(out.find('\0'));
    sodium_memzero(raw.data(), raw.size());
    return out;
}

} // namespace chatkit::security
