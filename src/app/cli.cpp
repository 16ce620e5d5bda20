// The command line of chatkit-server and chatkit-test-server: wiring only.
#include "chatkit/cli.hpp"

#include "chatkit/config/loader.hpp"
#include "chatkit/config/validate.hpp"
#include "chatkit/embeddings_setup.hpp"
#include "chatkit/obs/logger.hpp"
#include "chatkit/security/random.hpp"
#include "chatkit/server/server.hpp"
#include "chatkit/store/admin.hpp"
#include "chatkit/store/migrations.hpp"
#include "chatkit/version.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace {

// EX_CONFIG from sysexits.h: the configuration is wrong, not the program.
constexpr int exit_config = 78;

void print_help()
{
    std::printf("usage: chatkit-server [serve | check-config | migrate | version] [--flag value ...]\n"
                "       chatkit-server user set-tier EMAIL anonymous|lightweight|full|premium\n"
                "       chatkit-server user revoke-sessions EMAIL\n"
                "       chatkit-server user export EMAIL     (what is kept about them, as JSON)\n"
                "       chatkit-server user delete EMAIL     (the account and everything kept about it)\n\n"
                "Every setting is an environment variable and the equivalent flag:\n");
    for (const auto& s : chatkit::config::settings())
        std::printf("  %-24s %-26s %s\n", std::string(s.flag).c_str(), std::string(s.env).c_str(),
                    std::string(s.help).c_str());
}

// Thousands of open streams need thousands of descriptors: the soft limit
// (often 1024) is raised to the hard one the system allows.
void raise_descriptor_limit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int serve(chatkit::config::config& cfg, const std::vector<std::string>& warnings, const chatkit::route_hook& extra)
{
    raise_descriptor_limit();
    chatkit::obs::setup_logging(cfg.log_level, cfg.log_format == "json" ? chatkit::obs::log_format::json
                                                                        : chatkit::obs::log_format::text);
    for (const auto& w : warnings)
        spdlog::warn("{}", w);
    chatkit::app app(cfg, extra);
    chatkit::server::server srv(cfg, app.chain(), app.router());
    srv.on_drain([&app] { app.draining(); });
    auto port = srv.listen();
    // The admin listener outlives the drain, so /readyz can say "draining".
    auto admin_cfg = cfg;
    std::unique_ptr<chatkit::server::server> admin;
    std::thread admin_thread;
    if (cfg.admin_enabled()) {
        auto address = chatkit::config::admin_address(cfg.admin_bind.value_or("127.0.0.1:9464"));
        admin_cfg.bind = address->host;
        admin_cfg.port = address->port;
        admin_cfg.threads = 1;
        admin = std::make_unique<chatkit::server::server>(admin_cfg, app.admin_chain(), app.admin_router());
        auto admin_port = admin->listen();
        spdlog::info("admin listener on http://{}:{} (/metrics, /livez, /readyz, /health)", admin_cfg.bind, admin_port);
        admin_thread = std::thread([&admin] { admin->run(false); });
    }
    app.start();
    spdlog::info("chatkit-server {} listening on http://{}:{} ({} mode, {} I/O threads)", chatkit::version(), cfg.bind,
                 port, cfg.production() ? "production" : "development", cfg.threads);
    chatkit::obs::flush_logs();
    srv.run();
    if (admin) {
        admin->stop();
        admin_thread.join();
    }
    app.stop();
    spdlog::info("stopped");
    chatkit::obs::flush_logs();
    chatkit::obs::shutdown_logging();
    return 0;
}

// `user set-tier EMAIL TIER`, `user revoke-sessions EMAIL`, `user export
// EMAIL` (JSON on stdout) and `user delete EMAIL`.
int user_command(const std::string& database_url, const std::vector<std::string>& operands)
{
    constexpr std::array<std::string_view, 4> tiers{"anonymous", "lightweight", "full", "premium"};
    chatkit::store::admin_outcome outcome;
    if (operands.size() == 3 && operands[0] == "set-tier") {
        if (std::find(tiers.begin(), tiers.end(), operands[2]) == tiers.end()) {
            std::fprintf(stderr, "chatkit-server: tier must be one of anonymous, lightweight, full, premium\n");
            return 64;
        }
        outcome = chatkit::store::admin_set_tier(database_url, operands[1], operands[2]);
    } else if (operands.size() == 2 && operands[0] == "revoke-sessions") {
        outcome = chatkit::store::admin_revoke_sessions(database_url, operands[1]);
    } else if (operands.size() == 2 && operands[0] == "export") {
        outcome = chatkit::store::admin_export_user(database_url, operands[1]);
    } else if (operands.size() == 2 && operands[0] == "delete") {
        outcome = chatkit::store::admin_delete_user(database_url, operands[1]);
    } else {
        std::fprintf(stderr, "usage: chatkit-server user set-tier EMAIL TIER | revoke-sessions EMAIL | export EMAIL | "
                             "delete EMAIL\n");
        return 64;
    }
    std::fprintf(outcome.ok ? stdout : stderr, "%s\n", outcome.message.c_str());
    return outcome.ok ? 0 : 1;
}

// Under LOG_FORMAT=json every stderr line is a JSON record, these too: a
// log shipper must not meet a plain line it cannot parse.
bool json_stderr = false;

// One line on stderr, as plain text or as a record like the logger's.
void complain(const std::string& text, std::string_view level = "error")
{
    if (!json_stderr) {
        std::fprintf(stderr, "chatkit-server: %s\n", text.c_str());
        return;
    }
    auto now = std::chrono::system_clock::now();
    auto seconds = std::chrono::system_clock::to_time_t(now);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm t{};
    ::gmtime_r(&seconds, &t);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                  t.tm_hour, t.tm_min, t.tm_sec, static_cast<int>(millis));
    auto record = boost::json::serialize(boost::json::object{{"time", stamp}, {"level", level}, {"msg", text}});
    std::fprintf(stderr, "%s\n", record.c_str());
}

// What is wrong with the words after the command: an unknown flag, or an
// argument the command does not take. Empty when nothing is.
std::string stray_argument(const std::string& command, const std::vector<std::string>& args)
{
    bool named = !args.empty() && args.front() == command;
    for (std::size_t i = named ? 1 : 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a.starts_with("-"))
            return "unknown flag '" + a.substr(0, a.find('=')) + "'";
        if (command != "user")
            return "'" + command + "' takes no argument '" + a + "'";
    }
    return {};
}

} // namespace

int chatkit::run_cli(int argc, char** argv, const route_hook& extra_routes)
{
    std::vector<std::string> argv_list(argv + 1, argv + argc);
    auto loaded = chatkit::config::load(chatkit::config::process_env(), argv_list);
    json_stderr = loaded.cfg.log_format == "json";
    std::string command = loaded.args.empty() ? "serve" : loaded.args.front();
    if (command == "help" || command == "--help" || command == "-h") {
        print_help();
        return 0;
    }
    if (command == "version" || command == "--version") {
        std::printf("chatkit-server %s\n", std::string(chatkit::version()).c_str());
        return 0;
    }
    if (command.starts_with("-")) {
        std::fprintf(stderr, "chatkit-server: unknown flag '%s'; try chatkit-server --help\n",
                     command.substr(0, command.find('=')).c_str());
        return 64;
    }
    if (command != "serve" && command != "check-config" && command != "migrate" && command != "user") {
        std::fprintf(stderr, "chatkit-server: unknown command '%s'; try chatkit-server --help\n", command.c_str());
        return 64;
    }
    // A mistyped flag must not start a server with a default in its place.
    if (auto wrong = stray_argument(command, loaded.args); !wrong.empty()) {
        std::fprintf(stderr, "chatkit-server: %s; try chatkit-server --help\n", wrong.c_str());
        return 64;
    }
    if (!loaded.error.empty()) {
        complain("refusing to start: " + loaded.error);
        return exit_config;
    }
    try {
        chatkit::security::init_sodium();
        auto verdict = chatkit::config::validate(loaded.cfg);
        if (!verdict.ok()) {
            complain("refusing to start: " + verdict.refusal);
            return exit_config;
        }
        // Production refuses a missing corpus (answers would cite nothing) as
        // a configuration error, so a supervisor does not restart into it;
        // development answers from an empty one.
        if ((command == "serve" || command == "check-config") &&
            !std::filesystem::is_directory(loaded.cfg.corpus_dir)) {
            auto problem = "CORPUS_DIR is not a folder: " + loaded.cfg.corpus_dir;
            if (loaded.cfg.production()) {
                complain("refusing to start: " + problem);
                return exit_config;
            }
            if (command == "check-config")
                verdict.warnings.push_back(problem + "; answering from an empty corpus");
        }
        if (command == "check-config") {
            auto database = chatkit::store::admin_check_database(loaded.cfg.database_url);
            if (!database.ok) {
                complain("cannot start: " + database.message);
                return database.configuration_error ? exit_config : 1;
            }
            std::printf("database: %s\n", database.message.c_str());
            if (!loaded.cfg.embeddings_base_url.empty()) {
                // Down now is not a configuration error: answers are lexical
                // until the endpoint answers.
                auto probe = chatkit::probe_embeddings(loaded.cfg);
                if (probe.ok)
                    std::printf("embeddings: %s\n", probe.message.c_str());
                else
                    verdict.warnings.push_back("embeddings endpoint: " + probe.message +
                                               "; answers stay lexical until it answers");
            }
            for (const auto& w : verdict.warnings)
                complain(w, "warning");
            std::printf("configuration ok (%s mode)\n", loaded.cfg.production() ? "production" : "development");
            return 0;
        }
        if (command == "migrate") {
            auto outcome = chatkit::store::admin_migrate(loaded.cfg.database_url);
            std::fprintf(outcome.ok ? stdout : stderr, "%s\n", outcome.message.c_str());
            return outcome.ok ? 0 : 1;
        }
        if (command == "user")
            return user_command(loaded.cfg.database_url,
                                std::vector<std::string>(loaded.args.begin() + 1, loaded.args.end()));
        return serve(loaded.cfg, verdict.warnings, extra_routes);
    } catch (const chatkit::store::schema_too_new& e) {
        // Restarting would not help: a configuration matter for the operator.
        complain(std::string("refusing to start: ") + e.what());
        chatkit::obs::shutdown_logging();
        return exit_config;
    } catch (const std::exception& e) {
        // One line, whatever the library said across several.
        std::string why = e.what();
        for (auto& c : why)
            if (c == '\n' || c == '\r')
                c = ' ';
        complain("cannot start: " + why);
        chatkit::obs::shutdown_logging();
        return 1;
    }
}
