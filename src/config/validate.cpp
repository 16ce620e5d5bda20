#include "chatkit/config/validate.hpp"

#include "chatkit/config/install_paths.hpp"
#include "chatkit/security/random.hpp"
#include "chatkit/util/address_set.hpp"

#include "chatkit/util/url.hpp"

#include <boost/asio/ip/address.hpp>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

namespace chatkit::config {

namespace {

constexpr std::string_view make_key_hint = "generate one with: head -c 48 /dev/urandom | base64 | tr -d '\\n'";

bool is_repetition(std::string_view key)
{
    for (std::size_t period = 1; period <= key.size() / 2; ++period) {
        bool repeats = true;
        for (std::size_t i = period; i < key.size() && repeats; ++i)
            repeats = key[i] == key[i - period];
        if (repeats)
            return true;
    }
    return false;
}

// "abcdef…", "987654…": runs where each step repeats the previous one.
bool mostly_sequential(std::string_view key)
{
    std::size_t steady = 0;
    for (std::size_t i = 2; i < key.size(); ++i)
        if (key[i] - key[i - 1] == key[i - 1] - key[i - 2])
            ++steady;
    return steady * 2 > key.size();
}

double shannon_bits(std::string_view key)
{
    std::array<std::size_t, 256> counts{};
    for (unsigned char c : key)
        ++counts[c];
    double bits_per_char = 0;
    for (auto n : counts) {
        if (n == 0)
            continue;
        double p = double(n) / double(key.size());
        bits_per_char -= p * std::log2(p);
    }
    return bits_per_char * double(key.size());
}

// An absolute URL whose scheme is one of `schemes`.
std::optional<boost::urls::url_view> url_with_scheme(std::string_view text,
                                                     std::initializer_list<std::string_view> schemes)
{
    auto url = util::parse_absolute_url(text);
    if (!url || !util::has_scheme(*url, schemes))
        return std::nullopt;
    return url;
}

// scheme://host[:port] exactly, as a browser sends it in Origin. A '*' is
// a legal character of a host name, but here it is someone's wildcard.
bool valid_origin(std::string_view origin)
{
    auto url = url_with_scheme(origin, {"http", "https"});
    return url && !url->encoded_host().empty() && url->encoded_host().find('*') == std::string_view::npos &&
           !url->has_userinfo() && url->encoded_path().empty() && !url->has_query() && !url->has_fragment();
}

std::string check_secrets(config& cfg, std::vector<std::string>& warnings)
{
    if (!cfg.production()) {
        if (cfg.secret_key.empty()) {
            cfg.secret_key = security::random_urlsafe(32);
            cfg.secret_generated = true;
            warnings.push_back("SECRET_KEY is not set: using an ephemeral key for this process only; every token "
                               "dies on restart (development mode)");
        } else if (cfg.secret_key == development_default_secret) {
            warnings.push_back("SECRET_KEY is the published development default: never use it in production");
        }
        return {};
    }
    if (cfg.secret_key.empty())
        return "SECRET_KEY is not set (production mode): set SECRET_KEY to at least 32 random bytes; " +
               std::string(make_key_hint);
    if (cfg.secret_key == development_default_secret)
        return "SECRET_KEY is the published development default (production mode): set SECRET_KEY to a unique "
               "value of at least 32 random bytes; " +
               std::string(make_key_hint);
    if (auto why = secret_weakness(cfg.secret_key); !why.empty())
        return "SECRET_KEY " + why + " (production mode): set SECRET_KEY to at least 32 random bytes; " +
               std::string(make_key_hint);
    if (!cfg.secret_key_previous.empty()) {
        if (cfg.secret_key_previous == development_default_secret || !secret_weakness(cfg.secret_key_previous).empty())
            return "SECRET_KEY_PREVIOUS is weak or the development default (production mode): unset it, or set it "
                   "to the strong key being rotated out";
    }
    return {};
}

std::string check_cors(const config& cfg, std::vector<std::string>& warnings)
{
    bool wildcard = false;
    for (const auto& origin : cfg.cors_origins) {
        if (origin == "*" || origin == "null") {
            wildcard = true;
            continue;
        }
        if (!valid_origin(origin))
            return "CORS_ORIGINS has an entry that is not an origin: list scheme://host[:port] values without a "
                   "path, e.g. CORS_ORIGINS=https://docs.example.com";
    }
    if (cfg.production()) {
        if (cfg.cors_origins.empty())
            return "CORS_ORIGINS is not set (production mode): list the exact origins of the sites that embed the "
                   "widget, e.g. CORS_ORIGINS=https://docs.example.com,https://www.example.com";
        if (wildcard)
            return "CORS_ORIGINS contains '*' or 'null' (production mode): list the exact origins of the sites "
                   "that embed the widget, e.g. CORS_ORIGINS=https://docs.example.com";
    } else if (wildcard) {
        warnings.push_back("CORS_ORIGINS contains '*' or 'null': those entries are ignored; list exact origins");
    }
    return {};
}

// The SQLite file, or the nearest folder above it that exists (serve makes
// the rest), must be writable by this user, and so must the file and its
// -wal and -shm when they exist: check-config says what serve would find.
// (Left to SQLite, an immutable -shm fails the migrations with "attempt to
// write a readonly database", exit 1, as if a restart could help.)
std::string sqlite_writable(const std::filesystem::path& file)
{
    for (const auto& suffix : {"", "-wal", "-shm"}) {
        auto name = file.string() + suffix;
        // access() here: root passes mode bits, not an immutable file.
        if (::access(name.c_str(), W_OK) == 0 || errno == ENOENT)
            continue;
        int error = errno;
        return "DATABASE_URL: " + name + " is not writable by this user (" + std::strerror(error) +
               "): SQLite writes it; make it writable (an immutable file: chattr -i)";
    }
    std::error_code ec;
    auto at = file;
    while (!std::filesystem::exists(at, ec) && at != ".")
        at = at.has_parent_path() && at.parent_path() != at ? at.parent_path() : std::filesystem::path(".");
    // A file made and removed, not access(): root passes access() on a
    // read-only or virtual file system it cannot write.
    auto folder = std::filesystem::is_directory(at, ec) ? at : at.parent_path();
    std::string probe = (folder.empty() ? std::filesystem::path(".") : folder).string() + "/.chatkit-write-XXXXXX";
    int fd = ::mkstemp(probe.data());
    if (fd < 0)
        return "DATABASE_URL: " + folder.string() + " is not writable by this user (" + std::strerror(errno) +
               "): the SQLite file and its -wal and -shm files are written there";
    ::close(fd);
    ::unlink(probe.c_str());
    return {};
}

std::string check_database(const config& cfg, std::vector<std::string>& warnings)
{
    if (cfg.database_url.starts_with("sqlite://")) {
        if (cfg.production())
            warnings.push_back("DATABASE_URL is SQLite in production mode: fine for one instance; use "
                               "postgresql://... to run several");
        return sqlite_writable(cfg.database_url.substr(std::string_view("sqlite://").size()));
    }
    if (cfg.database_url.starts_with("postgresql://") || cfg.database_url.starts_with("postgres://")) {
        // A bare '@' or ':' in the password makes no URL: a configuration
        // error, never worth a restart.
        if (!util::parse_absolute_url(cfg.database_url))
            return "DATABASE_URL is not a valid URL: percent-encode an @, : or / of the user name or password "
                   "(%40, %3A, %2F)";
        return {};
    }
    return "DATABASE_URL must start with sqlite:/// or postgresql://, e.g. DATABASE_URL=sqlite://" + state_dir() +
           "/chatkit.db";
}

std::string check_mail(config& cfg)
{
    if (cfg.public_verify_url.empty()) {
        if (cfg.production())
            return "PUBLIC_VERIFY_URL is not set (production mode): set it to the https page that embeds the "
                   "widget, e.g. PUBLIC_VERIFY_URL=https://docs.example.com/";
        cfg.public_verify_url = "http://localhost:" + std::to_string(cfg.port) + "/";
    }
    auto verify = url_with_scheme(cfg.public_verify_url, {"http", "https"});
    // The link carries a sign-in token: over plain HTTP anyone on the path reads it.
    if (cfg.production() && !(verify && verify->scheme_id() == boost::urls::scheme::https))
        return "PUBLIC_VERIFY_URL must be an https:// page (production mode): the link carries a sign-in token";
    if (!verify || verify->encoded_host().empty())
        return "PUBLIC_VERIFY_URL must be the http(s):// address of the page that embeds the widget, e.g. "
               "PUBLIC_VERIFY_URL=https://docs.example.com/";
    if (verify->has_fragment())
        return "PUBLIC_VERIFY_URL must not have a #fragment: the server appends #chatkit_verify=<token>";
    if (cfg.smtp_url.empty()) {
        if (cfg.production())
            return "SMTP_URL is not set (production mode): verification mail needs a relay, e.g. "
                   "SMTP_URL=smtp://user:password@smtp.example.com:587";
        return {};
    }
    auto smtp = url_with_scheme(cfg.smtp_url, {"smtp", "smtps", "smtp+insecure"});
    if (auto any = util::parse_absolute_url(cfg.smtp_url); any && !smtp)
        return "SMTP_URL must start with smtp://, smtps:// or smtp+insecure://";
    if (!smtp || smtp->encoded_host().empty())
        return "SMTP_URL is not a URL with a host, e.g. SMTP_URL=smtp://user:password@smtp.example.com:587 "
               "(percent-encode an @, : or / of the user name or password: %40, %3A, %2F)";
    if (util::has_scheme(*smtp, {"smtp+insecure"}) && cfg.production() && !util::is_loopback_host(cfg.smtp_url))
        return "SMTP_URL uses smtp+insecure:// towards a non-loopback host (production mode): use smtp:// "
               "(STARTTLS) or smtps://";
    return {};
}

std::string check_network(const config& cfg)
{
    boost::system::error_code ec;
    boost::asio::ip::make_address(cfg.bind, ec);
    if (ec)
        return "BIND must be an IP address, e.g. BIND=127.0.0.1 or BIND=0.0.0.0";
    std::string bad;
    if (!util::address_set::parse(cfg.trusted_proxies, &bad))
        return "TRUSTED_PROXIES has an entry that is not an address or CIDR: '" + bad +
               "'; e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8";
    if (!cfg.llm_base_url.empty()) {
        auto llm = url_with_scheme(cfg.llm_base_url, {"http", "https"});
        if (!llm || llm->encoded_host().empty())
            return "LLM_BASE_URL must start with http:// or https://, e.g. LLM_BASE_URL=https://api.example.com/v1";
        if (cfg.llm_model.empty())
            return "LLM_BASE_URL is set but LLM_MODEL is not: name the model to ask, e.g. LLM_MODEL=gpt-4o-mini";
    }
    if (!cfg.support_url.empty()) {
        // The widget fills the placeholders in, each percent-encoded.
        std::string filled;
        std::string_view rest = cfg.support_url;
        while (!rest.empty()) {
            if (rest.starts_with("{question}"))
                rest.remove_prefix(std::string_view("{question}").size());
            else if (rest.starts_with("{conversation_url}"))
                rest.remove_prefix(std::string_view("{conversation_url}").size());
            else {
                filled += rest.front();
                rest.remove_prefix(1);
                continue;
            }
            filled += 'x';
        }
        auto support = util::parse_absolute_url(filled);
        bool mail = support && util::has_scheme(*support, {"mailto"});
        bool web = support && util::has_scheme(*support, {"http", "https"}) && !support->encoded_host().empty();
        if (!mail && !web)
            return "SUPPORT_URL must be an http(s):// URL or a mailto:, with {question} and {conversation_url} where "
                   "the widget puts them, e.g. SUPPORT_URL=https://help.example.com/new?q={question}";
        if (web && cfg.production() && !util::has_scheme(*support, {"https"}))
            return "SUPPORT_URL must be https:// in production mode (it carries the reader's question)";
    }
    if (!cfg.embeddings_base_url.empty()) {
        auto embeddings = url_with_scheme(cfg.embeddings_base_url, {"http", "https"});
        if (!embeddings || embeddings->encoded_host().empty())
            return "EMBEDDINGS_BASE_URL must start with http:// or https://, e.g. "
                   "EMBEDDINGS_BASE_URL=http://127.0.0.1:11434/v1";
        if (cfg.embeddings_model.empty())
            return "EMBEDDINGS_BASE_URL is set but EMBEDDINGS_MODEL is not: name the model, e.g. "
                   "EMBEDDINGS_MODEL=nomic-embed-text";
    }
    if (cfg.production() && cfg.test_routes)
        return "TEST_ROUTES=true is refused in production mode: unset TEST_ROUTES";
    return {};
}

} // namespace

std::string secret_weakness(std::string_view key)
{
    if (key.size() < 32)
        return "is too short (" + std::to_string(key.size()) + " bytes; at least 32 are needed)";
    std::array<bool, 256> seen{};
    std::size_t distinct = 0;
    for (unsigned char c : key)
        if (!seen[c]) {
            seen[c] = true;
            ++distinct;
        }
    if (distinct < 8 || is_repetition(key) || mostly_sequential(key) || shannon_bits(key) < 96.0)
        return "has too little variety to be random (repeated or sequential characters)";
    return {};
}

verdict validate(config& cfg)
{
    verdict v;
    // Ordered from the cheapest fix to the most involved, so the one line a
    // refusal prints is the first thing an operator should change.
    v.refusal = check_network(cfg);
    if (v.refusal.empty())
        v.refusal = check_database(cfg, v.warnings);
    if (v.refusal.empty())
        v.refusal = check_secrets(cfg, v.warnings);
    if (v.refusal.empty())
        v.refusal = check_cors(cfg, v.warnings);
    if (v.refusal.empty())
        v.refusal = check_mail(cfg);
    return v;
}

} // namespace chatkit::config
