#include "chatkit/obs/process_metrics.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace chatkit::obs {

namespace {

// Fields of /proc/self/stat after the command name (which may hold spaces).
bool read_stat(unsigned long long& utime, unsigned long long& stime, unsigned long long& start_ticks,
               unsigned long long& vsize, long long& rss_pages)
{
    std::ifstream in("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos)
        return false;
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    // state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24.
    for (int field = 3; field < 14; ++field)
        fields >> skip;
    fields >> utime >> stime;
    for (int field = 16; field < 22; ++field)
        fields >> skip;
    fields >> start_ticks >> vsize >> rss_pages;
    return static_cast<bool>(fields);
}

long long boot_time()
{
    std::ifstream in("/proc/stat");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("btime "))
            return std::stoll(line.substr(6));
    return 0;
}

} // namespace

void append_process_metrics(std::string& out)
{
    unsigned long long utime = 0, stime = 0, start = 0, vsize = 0;
    long long rss = 0;
    if (!read_stat(utime, stime, start, vsize, rss))
        return;
    double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    auto page = ::sysconf(_SC_PAGESIZE);
    std::error_code ec;
    std::size_t fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++fds;
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    out += fmt::format("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
                       "# TYPE process_cpu_seconds_total counter\n"
                       "process_cpu_seconds_total {}\n"
                       "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                       "# TYPE process_resident_memory_bytes gauge\n"
                       "process_resident_memory_bytes {}\n"
                       "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                       "# TYPE process_virtual_memory_bytes gauge\n"
                       "process_virtual_memory_bytes {}\n"
                       "# HELP process_open_fds Number of open file descriptors.\n"
                       "# TYPE process_open_fds gauge\n"
                       "process_open_fds {}\n"
                       "# HELP process_max_fds Maximum number of open file descriptors.\n"
                       "# TYPE process_max_fds gauge\n"
                       "process_max_fds {}\n"
                       "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
                       "# TYPE process_start_time_seconds gauge\n"
                       "process_start_time_seconds {}\n",
                       static_cast<double>(utime + stime) / ticks, rss * page, vsize, fds,
                       static_cast<unsigned long long>(limit.rlim_cur),
                       static_cast<double>(boot_time()) + static_cast<double>(start) / ticks);
}

} // namespace chatkit::obs
