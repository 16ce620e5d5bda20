#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chatkit::test {

// The real chatkit-server binary in a child process, its stdout and stderr
// captured to a file. Tests talk to it over real sockets.
class server_process {
public:
    // env replaces the whole environment of the child (plus PATH and HOME).
    // `program` defaults to the server; tests also run helper programs.
    server_process(std::vector<std::string> args, std::map<std::string, std::string> env,
                   std::string program = binary());
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    // Waits for the "listening on" line ("listening on http://host:port" or
    // "listening on port"); returns the port, or nullopt when the process
    // exited first.
    std::optional<std::uint16_t> wait_until_listening(std::chrono::seconds timeout = std::chrono::seconds(15));
    // Waits for the child to exit; returns its exit status (or 128+signal).
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    void signal(int signo);

    [[nodiscard]] std::string output() const;
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int pid() const { return pid_; }

    // The binary under test, from $CHATKIT_SERVER.
    static std::string binary();

private:
    int pid_ = -1;
    std::string log_path_;
    std::uint16_t port_ = 0;
    std::optional<int> exit_status_;
};

// The fixture corpus (tests/fixtures/corpus), from $CHATKIT_TEST_CORPUS.
std::string test_corpus();
// The widget folder, from $CHATKIT_TEST_WIDGET.
std::string test_widget();

// sqlite:// URL of a new file in a fresh temporary directory.
std::string temp_sqlite_url();

// Environment for a lenient test server on an ephemeral loopback port.
std::map<std::string, std::string> dev_env();
// Environment that passes every production check.
std::map<std::string, std::string> production_env();

} // namespace chatkit::test
