#include "chatkit/config/loader.hpp"
#include "chatkit/config/validate.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cfg = chatkit::config;

namespace {

constexpr const char* strong_key = "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe";

cfg::load_result load(std::map<std::string, std::string> env, std::vector<std::string> argv = {})
{
    return cfg::load(
        [env](std::string_view name) -> std::optional<std::string> {
            auto it = env.find(std::string(name));
            if (it == env.end())
                return std::nullopt;
            return it->second;
        },
        argv);
}

std::map<std::string, std::string> production()
{
    return {{"CHATKIT_ENV", "production"},
            {"SECRET_KEY", strong_key},
            {"CORS_ORIGINS", "https://docs.example.com"},
            {"DATABASE_URL", "postgresql://db/chatkit"},
            {"SMTP_URL", "smtp://u:p@smtp.example.com:587"},
            {"PUBLIC_VERIFY_URL", "https://docs.example.com/"}};
}

cfg::verdict verdict_for(std::map<std::string, std::string> env)
{
    auto r = load(std::move(env));
    EXPECT_EQ(r.error, "");
    return cfg::validate(r.cfg);
}

} // namespace

TEST(config_loader, flag_beats_environment)
{
    auto r = load({{"PORT", "9000"}}, {"--port", "9100"});
    EXPECT_EQ(r.cfg.port, 9100);
    r = load({{"PORT", "9000"}}, {"--port=9200"});
    EXPECT_EQ(r.cfg.port, 9200);
    r = load({{"PORT", "9000"}});
    EXPECT_EQ(r.cfg.port, 9000);
}

TEST(config_loader, every_setting_has_env_and_flag)
{
    for (const auto& s : cfg::settings()) {
        EXPECT_TRUE(s.flag.starts_with("--")) << s.env;
        EXPECT_FALSE(s.help.empty()) << s.env;
    }
}

TEST(config_loader, subcommand_is_kept_as_argument)
{
    auto r = load({}, {"check-config", "--threads", "3"});
    ASSERT_EQ(r.args.size(), 1u);
    EXPECT_EQ(r.args[0], "check-config");
    EXPECT_EQ(r.cfg.threads, 3u);
}

TEST(config_loader, rejects_unparsable_values)
{
    EXPECT_NE(load({{"PORT", "eighty"}}).error, "");
    EXPECT_NE(load({{"PORT", "70000"}}).error, "");
    EXPECT_NE(load({{"CHATKIT_ENV", "staging"}}).error, "");
    EXPECT_NE(load({{"LOG_FORMAT", "xml"}}).error, "");
    EXPECT_NE(load({{"HEADER_TIMEOUT", "soon"}}).error, "");
    EXPECT_NE(load({}, {"--port"}).error, "");
}

TEST(config_loader, the_prompt_budget_is_a_bounded_number_of_tokens)
{
    EXPECT_EQ(load({}).cfg.llm_prompt_tokens, 3000u);
    EXPECT_EQ(load({{"LLM_PROMPT_TOKENS", "12000"}}).cfg.llm_prompt_tokens, 12000u);
    EXPECT_NE(load({{"LLM_PROMPT_TOKENS", "999"}}).error.find("LLM_PROMPT_TOKENS must be a number from 1000"),
              std::string::npos);
    EXPECT_NE(load({{"LLM_PROMPT_TOKENS", "lots"}}).error, "");
}

TEST(config_loader, durations_accept_seconds_and_milliseconds)
{
    auto r = load({{"HEADER_TIMEOUT", "2"}, {"BODY_TIMEOUT", "1500ms"}, {"IDLE_TIMEOUT", "7s"}});
    EXPECT_EQ(r.cfg.header_timeout.count(), 2000);
    EXPECT_EQ(r.cfg.body_timeout.count(), 1500);
    EXPECT_EQ(r.cfg.idle_timeout.count(), 7000);
}

TEST(config_loader, default_mode_is_development)
{
    EXPECT_FALSE(load({}).cfg.production());
}

TEST(config_loader, defaults_are_the_installed_locations_not_the_working_directory)
{
    auto c = load({}).cfg;
    EXPECT_TRUE(cfg::data_dir().starts_with("/")) << cfg::data_dir();
    EXPECT_TRUE(cfg::state_dir().starts_with("/")) << cfg::state_dir();
    EXPECT_EQ(c.corpus_dir, cfg::data_dir() + "/docs");
    EXPECT_EQ(c.widget_dir, cfg::data_dir() + "/widget");
    EXPECT_EQ(c.database_url, "sqlite://" + cfg::state_dir() + "/chatkit.db");
}

TEST(config_loader, integration_test_mode_true_is_lenient)
{
    auto r = load({{"INTEGRATION_TEST_MODE", "true"}});
    EXPECT_EQ(r.error, "");
    EXPECT_FALSE(r.cfg.production());
}

TEST(config_loader, integration_test_mode_false_alone_means_production)
{
    EXPECT_TRUE(load({{"INTEGRATION_TEST_MODE", "false"}}).cfg.production());
}

TEST(config_loader, contradicting_mode_switches_are_refused)
{
    EXPECT_NE(load({{"INTEGRATION_TEST_MODE", "true"}, {"CHATKIT_ENV", "production"}}).error, "");
}

TEST(config_validate, production_with_everything_set_starts_without_warnings)
{
    auto v = verdict_for(production());
    EXPECT_TRUE(v.ok()) << v.refusal;
    EXPECT_TRUE(v.warnings.empty());
}

TEST(config_validate, production_without_secret_is_refused)
{
    auto env = production();
    env.erase("SECRET_KEY");
    auto v = verdict_for(env);
    EXPECT_NE(v.refusal.find("SECRET_KEY is not set"), std::string::npos) << v.refusal;
    EXPECT_NE(v.refusal.find("/dev/urandom"), std::string::npos) << "says how to make a good value";
}

TEST(config_validate, production_with_development_default_is_refused)
{
    auto env = production();
    env["SECRET_KEY"] = "dev-secret-key-change-in-production";
    auto v = verdict_for(env);
    EXPECT_NE(v.refusal.find("development default"), std::string::npos) << v.refusal;
    EXPECT_EQ(v.refusal.find("dev-secret-key-change-in-production"), std::string::npos) << "never prints the key";
}

TEST(config_validate, production_with_short_key_is_refused_without_echoing_it)
{
    auto env = production();
    env["SECRET_KEY"] = "Zq8#mW2!pL5x";
    auto v = verdict_for(env);
    EXPECT_NE(v.refusal.find("too short"), std::string::npos) << v.refusal;
    EXPECT_EQ(v.refusal.find("Zq8#mW2!pL5x"), std::string::npos);
}

TEST(config_validate, production_with_low_variety_key_is_refused)
{
    for (std::string key :
         {std::string(48, 'a'), std::string("abababababababababababababababababab"),
          std::string("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"), std::string("passwordpasswordpasswordpassword")}) {
        auto env = production();
        env["SECRET_KEY"] = key;
        auto v = verdict_for(env);
        EXPECT_FALSE(v.ok()) << key;
        EXPECT_EQ(v.refusal.find(key), std::string::npos);
    }
}

TEST(config_validate, random_hex_and_base64_keys_are_strong)
{
    EXPECT_EQ(cfg::secret_weakness(strong_key), "");
    EXPECT_EQ(cfg::secret_weakness("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), "");
}

TEST(config_validate, production_with_sqlite_warns_exactly_once_and_starts)
{
    auto env = production();
    env["DATABASE_URL"] = "sqlite:///./var/chatkit.db";
    auto v = verdict_for(env);
    EXPECT_TRUE(v.ok()) << v.refusal;
    ASSERT_EQ(v.warnings.size(), 1u);
    EXPECT_NE(v.warnings[0].find("SQLite"), std::string::npos);
}

TEST(config_validate, production_cors_must_be_explicit)
{
    for (const char* origins : {"", "*", "null", "https://docs.example.com,*", "null,https://docs.example.com"}) {
        auto env = production();
        if (*origins)
            env["CORS_ORIGINS"] = origins;
        else
            env.erase("CORS_ORIGINS");
        auto v = verdict_for(env);
        EXPECT_NE(v.refusal.find("CORS_ORIGINS"), std::string::npos) << "origins: " << origins;
    }
}

TEST(config_validate, malformed_origin_is_refused_in_any_mode)
{
    auto v = verdict_for({{"CORS_ORIGINS", "docs.example.com/path"}});
    EXPECT_NE(v.refusal.find("CORS_ORIGINS"), std::string::npos);
}

TEST(config_validate, development_generates_an_ephemeral_secret_with_a_warning)
{
    auto r = load({});
    auto v = cfg::validate(r.cfg);
    EXPECT_TRUE(v.ok());
    EXPECT_TRUE(r.cfg.secret_generated);
    EXPECT_GE(r.cfg.secret_key.size(), 43u);
    ASSERT_EQ(v.warnings.size(), 1u);
    EXPECT_NE(v.warnings[0].find("ephemeral"), std::string::npos);

    auto again = load({});
    static_cast<void>(cfg::validate(again.cfg));
    EXPECT_NE(again.cfg.secret_key, r.cfg.secret_key);
}

TEST(config_validate, integration_test_mode_accepts_missing_secret)
{
    auto v = verdict_for({{"INTEGRATION_TEST_MODE", "true"}});
    EXPECT_TRUE(v.ok()) << v.refusal;
}

TEST(config_validate, production_needs_smtp_and_verify_url)
{
    auto env = production();
    env.erase("SMTP_URL");
    EXPECT_NE(verdict_for(env).refusal.find("SMTP_URL"), std::string::npos);
    env = production();
    env.erase("PUBLIC_VERIFY_URL");
    EXPECT_NE(verdict_for(env).refusal.find("PUBLIC_VERIFY_URL"), std::string::npos);
    env = production();
    env["SMTP_URL"] = "smtp+insecure://mail.example.com:25";
    EXPECT_NE(verdict_for(env).refusal.find("smtp+insecure"), std::string::npos);
    env["SMTP_URL"] = "smtp+insecure://127.0.0.1:2525";
    EXPECT_TRUE(verdict_for(env).ok());
}

TEST(config_validate, urls_are_read_as_urls)
{
    auto env = production();
    for (const char* loopback :
         {"smtp+insecure://localhost:25", "smtp+insecure://u:p@127.0.0.2:25", "smtp+insecure://[::1]:2525"}) {
        env["SMTP_URL"] = loopback;
        EXPECT_TRUE(verdict_for(env).ok()) << loopback;
    }
    for (const char* elsewhere :
         {"smtp+insecure://localhost.evil.net:25", "smtp+insecure://127.evil.net:25",
          "smtp+insecure://127.0.0.1@mail.example.com:25", "SMTP+INSECURE://mail.example.com:25"}) {
        env["SMTP_URL"] = elsewhere;
        EXPECT_NE(verdict_for(env).refusal.find("smtp+insecure"), std::string::npos) << elsewhere;
    }
    env["SMTP_URL"] = "smtp://user:p@ss@smtp.example.com:587";
    EXPECT_NE(verdict_for(env).refusal.find("%40"), std::string::npos) << "an unencoded @ gets a hint";
    env["SMTP_URL"] = "smtp://user:p%40ss@smtp.example.com:587";
    EXPECT_TRUE(verdict_for(env).ok());
    env["SMTP_URL"] = "imap://mail.example.com";
    EXPECT_NE(verdict_for(env).refusal.find("must start with smtp://"), std::string::npos);

    env = production();
    for (const char* bad : {"https://*.example.com", "https://docs.example.com/", "https://u@docs.example.com",
                            "https://docs.example.com?x", "ftp://docs.example.com"}) {
        env["CORS_ORIGINS"] = bad;
        EXPECT_NE(verdict_for(env).refusal.find("CORS_ORIGINS"), std::string::npos) << bad;
    }
    env["CORS_ORIGINS"] = "https://docs.example.com:8443,http://[::1]:8000";
    EXPECT_TRUE(verdict_for(env).ok());

    env = production();
    env["PUBLIC_VERIFY_URL"] = "HTTPS://docs.example.com/guide";
    EXPECT_TRUE(verdict_for(env).ok()) << "schemes are case-blind";
    env["PUBLIC_VERIFY_URL"] = "https:///no-host";
    EXPECT_NE(verdict_for(env).refusal.find("PUBLIC_VERIFY_URL"), std::string::npos);
    env["PUBLIC_VERIFY_URL"] = "https://docs.example.com/#top";
    EXPECT_NE(verdict_for(env).refusal.find("#fragment"), std::string::npos);

    env = production();
    env["LLM_MODEL"] = "m";
    env["LLM_BASE_URL"] = "http://[::1]:8080/v1";
    EXPECT_TRUE(verdict_for(env).ok());
    env["LLM_BASE_URL"] = "http:///v1";
    EXPECT_NE(verdict_for(env).refusal.find("LLM_BASE_URL must start with http:// or https://"), std::string::npos);
}

TEST(config_validate, embeddings_need_a_usable_url_a_model_and_sane_numbers)
{
    auto env = production();
    env["EMBEDDINGS_BASE_URL"] = "http://127.0.0.1:11434/v1";
    EXPECT_NE(verdict_for(env).refusal.find("EMBEDDINGS_MODEL"), std::string::npos);
    env["EMBEDDINGS_MODEL"] = "nomic-embed-text";
    EXPECT_TRUE(verdict_for(env).ok());
    env["EMBEDDINGS_BASE_URL"] = "127.0.0.1:11434/v1";
    EXPECT_NE(verdict_for(env).refusal.find("EMBEDDINGS_BASE_URL must start with http://"), std::string::npos);

    EXPECT_NE(load({{"EMBEDDINGS_DIMENSIONS", "4"}}).error.find("EMBEDDINGS_DIMENSIONS"), std::string::npos);
    EXPECT_NE(load({{"EMBEDDINGS_BATCH_SIZE", "0"}}).error.find("EMBEDDINGS_BATCH_SIZE"), std::string::npos);
    EXPECT_NE(load({{"EMBEDDINGS_CONCURRENCY", "x"}}).error.find("EMBEDDINGS_CONCURRENCY"), std::string::npos);
    EXPECT_NE(load({{"EMBEDDINGS_MIN_SIMILARITY", "1.5"}}).error.find("EMBEDDINGS_MIN_SIMILARITY"), std::string::npos);
    auto ok = load({{"EMBEDDINGS_DIMENSIONS", "512"},
                    {"EMBEDDINGS_MIN_SIMILARITY", "0.35"},
                    {"EMBEDDINGS_QUESTION_TIMEOUT", "800ms"}});
    ASSERT_TRUE(ok.error.empty()) << ok.error;
    EXPECT_EQ(ok.cfg.embeddings_dimensions, 512u);
    EXPECT_DOUBLE_EQ(ok.cfg.embeddings_min_similarity, 0.35);
    EXPECT_EQ(ok.cfg.embeddings_question_timeout, std::chrono::milliseconds(800));
}

TEST(config_validate, a_support_url_is_a_web_template_or_a_mailto)
{
    auto env = production();
    for (const char* good : {"https://help.example.com/new?q={question}&ref={conversation_url}",
                             "mailto:docs@example.com?subject=Docs%20question&body={question}"}) {
        env["SUPPORT_URL"] = good;
        EXPECT_TRUE(verdict_for(env).ok()) << good << ": " << verdict_for(env).refusal;
    }
    for (const char* bad : {"help.example.com/new", "javascript:alert(1)", "ftp://example.com/{question}"}) {
        env["SUPPORT_URL"] = bad;
        EXPECT_NE(verdict_for(env).refusal.find("SUPPORT_URL"), std::string::npos) << bad;
    }
    env["SUPPORT_URL"] = "http://help.example.com/new?q={question}";
    EXPECT_NE(verdict_for(env).refusal.find("https"), std::string::npos) << "the question travels in it";
}

TEST(config_validate, production_refuses_test_routes)
{
    auto env = production();
    env["TEST_ROUTES"] = "true";
    EXPECT_NE(verdict_for(env).refusal.find("TEST_ROUTES"), std::string::npos);
}

TEST(config_validate, bad_trusted_proxy_is_refused)
{
    auto v = verdict_for({{"TRUSTED_PROXIES", "10.0.0.0/8,not-an-ip"}});
    EXPECT_NE(v.refusal.find("not-an-ip"), std::string::npos);
    v = verdict_for({{"TRUSTED_PROXIES", "10.0.0.0/33"}});
    EXPECT_FALSE(v.ok());
}

TEST(config_validate, development_defaults_verify_url_to_the_demo_page)
{
    auto r = load({{"PORT", "8123"}});
    ASSERT_TRUE(cfg::validate(r.cfg).ok());
    EXPECT_EQ(r.cfg.public_verify_url, "http://localhost:8123/");
}
