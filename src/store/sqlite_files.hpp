#pragma once

#include <array>
#include <atomic>
#include <string>

namespace chatkit::store {

// The files SQLite writes for one database: the file itself, its -wal and
// its -shm. It remembers which it last found unwritable, so the log says so
// once when that begins and once when it ends, however often they are looked
// at (every job looks at the -shm).
class sqlite_files {
public:
    enum file { database, wal, shm };

    explicit sqlite_files(const std::string& path);

    // Whether this user can write the file; true while it does not exist
    // (SQLite makes it). access() and not a write: root passes mode bits,
    // but not an immutable file or a read-only file system.
    [[nodiscard]] bool writable(file f);
    [[nodiscard]] bool all_writable();

private:
    std::array<std::string, 3> paths_;
    std::array<std::atomic<bool>, 3> refused_{};
};

} // namespace chatkit::store
