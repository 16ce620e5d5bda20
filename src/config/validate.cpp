#include "chatkit/config/validate.hpp"

#include "chatkit/config/install_paths.hpp"
#include "chatkit/security/random.hpp"
#include "chatkit/util/address_set.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cmath>

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

bool valid_origin(std::string_view origin)
{
    std::string_view rest;
    if (origin.starts_with("https://"))
        rest = origin.substr(8);
    else if (origin.starts_with("http://"))
        rest = origin.substr(7);
    else
        return false;
    return !rest.empty() && rest.find_first_of("/?#* ") == std::string_view::npos;
}

bool is_loopback_host(std::string_view url_without_scheme)
{
    auto at = url_without_scheme.rfind('@');
    auto host = at == std::string_view::npos ? url_without_scheme : url_without_scheme.substr(at + 1);
    return host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
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

std::string check_database(const config& cfg, std::vector<std::string>& warnings)
{
    if (cfg.database_url.starts_with("sqlite://")) {
        if (cfg.production())
            warnings.push_back("DATABASE_URL is SQLite in production mode: fine for one instance; use "
                               "postgresql://... to run several");
        return {};
    }
    if (cfg.database_url.starts_with("postgresql://") || cfg.database_url.starts_with("postgres://"))
        return {};
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
    // The link carries a sign-in token: over plain HTTP anyone on the path reads it.
    if (cfg.production() && !cfg.public_verify_url.starts_with("https://"))
        return "PUBLIC_VERIFY_URL must be an https:// page (production mode): the link carries a sign-in token";
    if (cfg.public_verify_url.find('#') != std::string::npos)
        return "PUBLIC_VERIFY_URL must not have a #fragment: the server appends #chatkit_verify=<token>";
    if (cfg.smtp_url.empty()) {
        if (cfg.production())
            return "SMTP_URL is not set (production mode): verification mail needs a relay, e.g. "
                   "SMTP_URL=smtp://user:password@smtp.example.com:587";
        return {};
    }
    constexpr std::string_view insecure = "smtp+insecure://";
    if (cfg.smtp_url.starts_with(insecure)) {
        if (cfg.production() && !is_loopback_host(std::string_view(cfg.smtp_url).substr(insecure.size())))
            return "SMTP_URL uses smtp+insecure:// towards a non-loopback host (production mode): use smtp:// "
                   "(STARTTLS) or smtps://";
        return {};
    }
    if (!cfg.smtp_url.starts_with("smtp://") && !cfg.smtp_url.starts_with("smtps://"))
        return "SMTP_URL must start with smtp://, smtps:// or smtp+insecure://";
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
        if (!cfg.llm_base_url.starts_with("http://") && !cfg.llm_base_url.starts_with("https://"))
            return "LLM_BASE_URL must start with http:// or https://, e.g. LLM_BASE_URL=https://api.example.com/v1";
        if (cfg.llm_model.empty())
            return "LLM_BASE_URL is set but LLM_MODEL is not: name the model to ask, e.g. LLM_MODEL=gpt-4o-mini";
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
