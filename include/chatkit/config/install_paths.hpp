#pragma once

#include <string>

namespace chatkit::config {

// Where an installed server finds its data and keeps its state, compiled in
// by meson (prefix/datadir/chatkit and the state_dir option), so the
// installed binary works from any working directory. A source-tree server is
// told ./docs, ./widget and ./var explicitly (scripts/run, the test harness).

// The widget, the demo corpus and the samples, e.g. /usr/local/share/chatkit.
[[nodiscard]] std::string data_dir();
// The SQLite database's folder, e.g. /var/lib/chatkit (systemd's StateDirectory=chatkit).
[[nodiscard]] std::string state_dir();

} // namespace chatkit::config
