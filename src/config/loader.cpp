#include "chatkit/config/loader.hpp"

#include "settings_table.hpp"

#include "chatkit/util/text.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <thread>

namespace chatkit::config {

namespace {

// INTEGRATION_TEST_MODE is the seed's switch: true meant lenient, false meant
// production. CHATKIT_ENV is ours and wins when both agree; when they
// contradict each other we refuse rather than guess which one was meant.
std::string resolve_mode(config& c, const mode_inputs& in)
{
    if (in.chatkit_env)
        c.env = *in.chatkit_env == "production" ? mode::production : mode::development;
    if (in.integration_test_mode) {
        c.integration_test_mode = *in.integration_test_mode;
        if (*in.integration_test_mode && c.production())
            return "CHATKIT_ENV=production contradicts INTEGRATION_TEST_MODE=true: unset one of them";
        if (!*in.integration_test_mode && !in.chatkit_env)
            c.env = mode::production;
    }
    return {};
}

} // namespace

env_lookup process_env()
{
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v)
            return std::nullopt;
        return std::string(v);
    };
}

const std::vector<setting_doc>& settings()
{
    static const std::vector<setting_doc> docs = [] {
        std::vector<setting_doc> out;
        for (const auto& s : table())
            out.push_back(s.doc);
        return out;
    }();
    return docs;
}

namespace {

// Settings that may come from a file named by <NAME>_FILE (Docker and
// systemd credentials, Kubernetes secrets) instead of the environment.
bool is_secret(std::string_view name)
{
    return name == "SECRET_KEY" || name == "SECRET_KEY_PREVIOUS" || name == "LLM_API_KEY" ||
           name == "EMBEDDINGS_API_KEY" || name == "SMTP_URL" || name == "DATABASE_URL" || name == "ADMIN_TOKEN";
}

struct file_value {
    std::optional<std::string> value;
    std::string error;
};

// The file's content without its final line end; an error names the
// setting and the file, never the content.
file_value secret_from_file(const env_lookup& env, std::string_view name, bool also_set)
{
    auto file_setting = std::string(name) + "_FILE";
    auto path = env(file_setting);
    if (!path)
        return {};
    if (also_set)
        return {std::nullopt, std::string(name) + " and " + file_setting + " are both set: keep one"};
    // A directory opens as a stream and then throws on the first read.
    std::error_code ec;
    if (std::filesystem::is_directory(*path, ec))
        return {std::nullopt, file_setting + ": " + *path + " is a directory, not a file"};
    std::ifstream in(*path, std::ios::binary);
    if (!in)
        return {std::nullopt, file_setting + ": cannot read " + *path};
    std::string content;
    try {
        content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure&) {
        return {std::nullopt, file_setting + ": cannot read " + *path};
    }
    constexpr std::size_t max_size = 64 * 1024;
    if (content.size() > max_size)
        return {std::nullopt, file_setting + ": " + *path + " is larger than 64 KiB"};
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
        content.pop_back();
    if (content.empty())
        return {std::nullopt, file_setting + ": " + *path + " is empty"};
    return {std::move(content), {}};
}

} // namespace

load_result load(const env_lookup& env, const std::vector<std::string>& argv)
{
    load_result result;
    mode_inputs inputs;
    auto fail = [&](std::string message) {
        if (result.error.empty())
            result.error = std::move(message);
    };

    for (const auto& s : table()) {
        auto value = env(s.doc.env);
        if (is_secret(s.doc.env)) {
            auto from_file = secret_from_file(env, s.doc.env, value.has_value());
            if (!from_file.error.empty()) {
                fail(from_file.error);
                continue;
            }
            if (from_file.value)
                value = std::move(from_file.value);
        }
        if (value)
            if (auto e = s.apply(result.cfg, inputs, *value); !e.empty())
                fail(e);
    }

    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (!arg.starts_with("--")) {
            result.args.push_back(arg);
            continue;
        }
        auto eq = arg.find('=');
        std::string flag = arg.substr(0, eq);
        const setting* found = nullptr;
        for (const auto& s : table())
            if (s.doc.flag == flag)
                found = &s;
        if (!found) {
            result.args.push_back(arg); // a subcommand's own flag, e.g. --help
            continue;
        }
        std::string value;
        if (eq != std::string::npos)
            value = arg.substr(eq + 1);
        else if (i + 1 < argv.size())
            value = argv[++i];
        else {
            fail(flag + " needs a value");
            continue;
        }
        if (auto e = found->apply(result.cfg, inputs, value); !e.empty())
            fail(e);
    }
    if (auto e = resolve_mode(result.cfg, inputs); !e.empty())
        fail(e);
    if (result.cfg.threads == 0)
        result.cfg.threads = std::max(1u, std::thread::hardware_concurrency());
    return result;
}

} // namespace chatkit::config
