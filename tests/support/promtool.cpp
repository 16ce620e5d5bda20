#include "promtool.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace chatkit::test {

std::optional<promtool_verdict> promtool_check(const std::string& exposition)
{
    char path[] = "/tmp/chatkit-metrics-XXXXXX";
    ::close(::mkstemp(path));
    std::ofstream(path) << exposition;
    const char* tool = std::getenv("PROMTOOL");
    auto command = std::string(tool ? tool : "promtool") + " check metrics < " + path + " 2>&1";
    promtool_verdict v;
    if (FILE* out = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, out)) > 0;)
            v.findings.append(buffer, n);
        auto status = ::pclose(out);
        v.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    ::unlink(path);
    // The shell's "command not found" (127) or "cannot execute" (126).
    if (v.status == -1 || v.status == 126 || v.status == 127) {
        if (std::getenv("CHATKIT_REQUIRE_SERVICES"))
            throw std::runtime_error("promtool cannot run, but CHATKIT_REQUIRE_SERVICES says it must: " + v.findings);
        return std::nullopt;
    }
    return v;
}

} // namespace chatkit::test
