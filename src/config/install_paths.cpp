#include "chatkit/config/install_paths.hpp"

#include "chatkit_install_paths.hpp"

namespace chatkit::config {

std::string data_dir()
{
    return CHATKIT_DATADIR;
}

std::string state_dir()
{
    return CHATKIT_STATEDIR;
}

} // namespace chatkit::config
