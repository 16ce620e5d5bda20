#pragma once

#include <string>

namespace chatkit::obs {

// The standard process_* series (Prometheus client conventions) read from
// /proc/self at scrape time: CPU seconds, resident and virtual memory, open
// and maximum descriptors, start time. Nothing on Linux-less systems.
void append_process_metrics(std::string& out);

} // namespace chatkit::obs
