#include "sqlite_files.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace chatkit::store {

sqlite_files::sqlite_files(const std::string& path) : paths_{path, path + "-wal", path + "-shm"} {}

bool sqlite_files::writable(file f)
{
    const auto& path = paths_[f];
    bool ok = ::access(path.c_str(), W_OK) == 0;
    int error = ok ? 0 : errno;
    ok = ok || error == ENOENT;
    if (refused_[f].exchange(!ok) == !ok)
        return ok;
    if (ok)
        spdlog::info("database: {} is writable again", path);
    else
        spdlog::error("database: {} is not writable ({}): requests that need the database answer 503 until it is", path,
                      std::strerror(error));
    return ok;
}

bool sqlite_files::all_writable()
{
    // All three looked at, so the log names each one that is not.
    bool ok = writable(database);
    ok = writable(wal) && ok;
    return writable(shm) && ok;
}

} // namespace chatkit::store
