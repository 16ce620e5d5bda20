#include "chatkit/version.hpp"

#include "chatkit_version.hpp"

namespace chatkit {

std::string_view version()
{
    return CHATKIT_VERSION;
}

} // namespace chatkit
