#include "server_process.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace chatkit::test {

namespace {

std::string temp_log_path()
{
    char path[] = "/tmp/chatkit-test-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0)
        throw std::runtime_error("mkstemp failed");
    ::close(fd);
    return path;
}

} // namespace

std::string server_process::binary()
{
    const char* p = std::getenv("CHATKIT_SERVER");
    if (!p)
        throw std::runtime_error("CHATKIT_SERVER is not set (run the tests with meson test)");
    return p;
}

server_process::server_process(std::vector<std::string> args, std::map<std::string, std::string> env,
                               std::string program)
    : log_path_(temp_log_path())
{
    std::vector<std::string> argv_store{std::move(program)};
    argv_store.insert(argv_store.end(), args.begin(), args.end());
    std::vector<std::string> env_store;
    for (const char* keep : {"PATH", "HOME"})
        if (const char* v = std::getenv(keep); v && !env.count(keep))
            env_store.push_back(std::string(keep) + "=" + v);
    for (const auto& [k, v] : env)
        env_store.push_back(k + "=" + v);

    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(log_path_.c_str(), O_WRONLY | O_TRUNC);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> argv, envp;
        for (auto& a : argv_store)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env_store)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
}

server_process::~server_process()
{
    if (!exit_status_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    ::unlink(log_path_.c_str());
}

std::string server_process::output() const
{
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<std::uint16_t> server_process::wait_until_listening(std::chrono::seconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto out = output();
        auto at = out.find("listening on ");
        if (at != std::string::npos) {
            auto start = at + 13;
            if (out.compare(start, 7, "http://") == 0)
                start = out.find(':', start + 7) + 1;
            auto end = out.find_first_not_of("0123456789", start);
            if (end != std::string::npos && end > start) {
                port_ = static_cast<std::uint16_t>(std::stoi(out.substr(start, end - start)));
                return port_;
            }
        }
        if (wait_exit(std::chrono::milliseconds(0)))
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout)
{
    if (exit_status_)
        return exit_status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_status_;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void server_process::signal(int signo)
{
    ::kill(pid_, signo);
}

std::string temp_sqlite_url()
{
    char dir[] = "/tmp/chatkit-db-XXXXXX";
    if (!::mkdtemp(dir))
        throw std::runtime_error("mkdtemp failed");
    return std::string("sqlite://") + dir + "/chatkit.db";
}

std::string test_corpus()
{
    const char* p = std::getenv("CHATKIT_TEST_CORPUS");
    return p ? p : "tests/fixtures/corpus";
}

std::string test_widget()
{
    const char* p = std::getenv("CHATKIT_TEST_WIDGET");
    return p ? p : "widget";
}

std::map<std::string, std::string> dev_env()
{
    return {{"CHATKIT_ENV", "development"},
            {"BIND", "127.0.0.1"},
            {"PORT", "0"},
            {"THREADS", "2"},
            {"TEST_ROUTES", "true"},
            {"LOG_LEVEL", "info"},
            {"DATABASE_URL", temp_sqlite_url()},
            {"CORPUS_DIR", test_corpus()},
            {"BUILTIN_TOKEN_DELAY", "5ms"},
            {"WIDGET_DIR", test_widget()}};
}

std::map<std::string, std::string> production_env()
{
    return {{"CHATKIT_ENV", "production"},
            {"BIND", "127.0.0.1"},
            {"PORT", "0"},
            {"THREADS", "2"},
            {"SECRET_KEY", "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe"},
            {"CORS_ORIGINS", "https://docs.example.com"},
            {"DATABASE_URL", "postgresql://chatkit@127.0.0.1/chatkit"},
            {"SMTP_URL", "smtp://mailer:secret@smtp.example.com:587"},
            {"PUBLIC_VERIFY_URL", "https://docs.example.com/"},
            {"TRUSTED_PROXIES", "127.0.0.1"},
            {"ADMIN_BIND", "127.0.0.1:0"},
            {"CORPUS_DIR", test_corpus()},
            {"WIDGET_DIR", test_widget()}};
}

} // namespace chatkit::test
