#include "chatkit/config/limit_spec.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/email_address.hpp"
#include "chatkit/util/origins.hpp"
#include "chatkit/util/url.hpp"
#include "store/connection_url.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sec = chatkit::security;

TEST(tokens, are_43_url_safe_characters_and_unique)
{
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto t = sec::new_token();
        EXPECT_TRUE(sec::token_shaped(t)) << t;
        EXPECT_TRUE(seen.insert(t).second);
    }
    EXPECT_FALSE(sec::token_shaped("short"));
    EXPECT_FALSE(sec::token_shaped(std::string(42, 'a') + "="));
    EXPECT_FALSE(sec::token_shaped(std::string(42, 'a') + "/"));
}

TEST(keyring, hashes_are_keyed_and_deterministic)
{
    sec::keyring a("key-one-0123456789abcdef0123456789abcdef");
    sec::keyring b("key-two-0123456789abcdef0123456789abcdef");
    auto token = sec::new_token();
    EXPECT_EQ(a.token_hash(token), a.token_hash(token));
    EXPECT_NE(a.token_hash(token), b.token_hash(token));
    EXPECT_EQ(a.token_hash(token).size(), 64u);
    EXPECT_EQ(a.token_hash(token).find(token), std::string::npos);
}

TEST(keyring, previous_key_hashes_come_second)
{
    sec::keyring rotating("new-key-0123456789abcdef0123456789abcdef", "old-key-0123456789abcdef0123456789abcdef");
    sec::keyring old("old-key-0123456789abcdef0123456789abcdef");
    auto token = sec::new_token();
    auto hashes = rotating.token_hashes(token);
    ASSERT_EQ(hashes.size(), 2u);
    EXPECT_EQ(hashes[0], rotating.token_hash(token));
    EXPECT_EQ(hashes[1], old.token_hash(token));
}

TEST(keyring, sealed_bodies_open_only_with_the_right_key)
{
    sec::keyring a("key-one-0123456789abcdef0123456789abcdef");
    sec::keyring b("key-two-0123456789abcdef0123456789abcdef");
    sec::keyring rotated("key-two-0123456789abcdef0123456789abcdef", "key-one-0123456789abcdef0123456789abcdef");
    auto sealed = a.seal("link #chatkit_verify=secret");
    EXPECT_EQ(sealed.find("secret"), std::string::npos);
    EXPECT_EQ(a.open(sealed).value_or(""), "link #chatkit_verify=secret");
    EXPECT_FALSE(b.open(sealed));
    EXPECT_EQ(rotated.open(sealed).value_or(""), "link #chatkit_verify=secret");
    auto tampered = sealed;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    EXPECT_FALSE(a.open(tampered));
    EXPECT_FALSE(a.open("zz"));
}

TEST(uuid, is_version_4)
{
    auto id = sec::new_uuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
}

TEST(email, normalizes_and_refuses_unsafe_addresses)
{
    using chatkit::services::normalize_email;
    EXPECT_EQ(normalize_email("  Ada.Lovelace+docs@Example.COM ").value_or(""), "ada.lovelace+docs@example.com");
    for (const char* bad : {"",
                            "plain",
                            "@example.com",
                            "a@",
                            "a@b",
                            "a@@b.com",
                            "a b@c.com",
                            "a@b..com",
                            ".a@b.com",
                            "a@b.com\r\nBcc: x@y.com",
                            "a@exa mple.com",
                            "a@-",
                            "a@b.com>",
                            "x%evil.com@example.com",
                            "x@-evil-.com",
                            "x@evil-.com",
                            "\"quoted\"@example.com",
                            "x!y@example.com",
                            "x@example.123",
                            "x@[127.0.0.1]",
                            "x@exam_ple.com",
                            "x@b\xE2\x80\x8B.com",
                            "x@\xFF.com"})
        EXPECT_FALSE(normalize_email(bad)) << bad;
    EXPECT_FALSE(normalize_email(std::string(65, 'a') + "@example.com"));
    EXPECT_FALSE(normalize_email("a@" + std::string(64, 'b') + ".com")) << "a label is at most 63";
    EXPECT_EQ(normalize_email("user@b\xC3\xBC"
                              "cher.de")
                  .value_or(""),
              "user@xn--bcher-kva.de");
    EXPECT_EQ(normalize_email("user@B\xC3\x9C"
                              "CHER.DE")
                  .value_or(""),
              "user@xn--bcher-kva.de")
        << "IDNA lower case";
    EXPECT_EQ(normalize_email("a@\xE4\xBE\x8B\xE5\xAD\x90.\xE6\xB5\x8B\xE8\xAF\x95").value_or(""),
              "a@xn--fsqu00a.xn--0zwm56d");
}

TEST(email, domains_in_other_scripts_are_their_idna2008_a_labels)
{
    using chatkit::services::normalize_email;
    auto domain_of = [](const std::string& domain) {
        auto email = normalize_email("a@" + domain);
        return email ? email->substr(2) : std::string("(refused)");
    };
    // RFC 3492 7.1 (B) Chinese (simplified) and (L), where UTS 46 lower-cases the B.
    EXPECT_EQ(domain_of("\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587.com"),
              "xn--ihqwcrb4cv8a8dqg056pqjye.com");
    EXPECT_EQ(domain_of("3\u5E74B\u7D44\u91D1\u516B\u5148\u751F.jp"), "xn--3b-ww4c5e180e575a65lsy2b.jp");
    EXPECT_EQ(domain_of("m\u00FCnchen.de"), "xn--mnchen-3ya.de");
    // Capitals beyond Latin-1 are lower-cased before the A-label is made.
    EXPECT_EQ(domain_of("\u041F\u0420\u0418\u041C\u0415\u0420.\u0420\u0424"), "xn--e1afmkfd.xn--p1ai")
        << "ПРИМЕР.РФ is пример.рф";
    EXPECT_EQ(domain_of("\u03A3\u038A\u03A3\u03A5\u03A6\u039F\u03A3.gr"), "xn--kxa6akbbkh.gr") << "Greek capitals";
    // Full-width forms and the ideographic full stop are mapped, not encoded.
    EXPECT_EQ(domain_of("\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45\u3002\uFF43\uFF4F\uFF4D"), "example.com");
    EXPECT_EQ(domain_of("\u00DF.de"), "xn--zca.de") << "IDNA2008 keeps the sharp s (non-transitional)";
    // Invalid under IDNA2008: a digit of another script beside a European
    // one (bidi rule), a symbol, a combining mark first, a joiner out of
    // context, '--' in third and fourth place, an A-label that is no
    // Punycode, a full-width '@'.
    for (const char* bad : {"\u06611.com", "\u2603.net", "\u0301a.com", "a\u200Db.com", "\u00FCb--c.com", "xn--zz.com",
                            "XN--ZZ.com", "a\uFF20b.com", "a\u00AD.com", "\uFEFFa.com", "\u200B.com"})
        EXPECT_EQ(domain_of(bad), "(refused)") << bad;
}

// IDNA2008 rules a label in another script and an A-label; an ASCII label
// that is neither is only LDH, '--' anywhere inside included (docs/api.md).
TEST(email, ascii_labels_with_double_hyphens_are_valid)
{
    using chatkit::services::normalize_email;
    EXPECT_EQ(normalize_email("user@mail.ab--cd.example.com").value_or("(refused)"), "user@mail.ab--cd.example.com");
    EXPECT_EQ(normalize_email("User@R3--SN-ABC.Example.com").value_or("(refused)"), "user@r3--sn-abc.example.com");
    EXPECT_EQ(normalize_email("a@ab--c.com").value_or("(refused)"), "a@ab--c.com");
    EXPECT_EQ(normalize_email("a@xn--bcher-kva.de").value_or("(refused)"), "a@xn--bcher-kva.de") << "an A-label";
    EXPECT_EQ(normalize_email("a@XN--BCHER-KVA.DE").value_or("(refused)"), "a@xn--bcher-kva.de");
    EXPECT_EQ(normalize_email("a@r3--sn-abc.b\u00FCcher.de").value_or("(refused)"), "a@r3--sn-abc.xn--bcher-kva.de")
        << "each label by its own rules";
    EXPECT_EQ(normalize_email("a@ab--c\u3002example\uFF0Ecom").value_or("(refused)"), "a@ab--c.example.com")
        << "ideographic full stops separate labels";
    for (const char* bad : {"a@-ab--c.com", "a@ab--c-.com", "a@ab--c..com", "a@ab--c.com.", "a@ab_-c.com"})
        EXPECT_FALSE(normalize_email(bad)) << bad;
}

TEST(limit_spec, parses_windows_and_unlimited)
{
    chatkit::config::limit_spec spec;
    EXPECT_EQ(chatkit::config::parse_limit_spec("10/minute,500/day", spec), "");
    ASSERT_EQ(spec.size(), 2u);
    EXPECT_EQ(spec[0].max, 10);
    EXPECT_EQ(spec[0].window.count(), 60);
    EXPECT_EQ(spec[1].window.count(), 86400);
    EXPECT_EQ(chatkit::config::parse_limit_spec("unlimited", spec), "");
    EXPECT_TRUE(spec.empty());
    for (const char* bad : {"10", "ten/minute", "10/fortnight", "0/minute", "-1/hour", "10/minute,"})
        EXPECT_NE(chatkit::config::parse_limit_spec(bad, spec), "") << bad;
}

TEST(connection_url, sqlite_paths_and_libpq_keywords)
{
    using chatkit::store::parse_connection_url;
    EXPECT_EQ(parse_connection_url("sqlite:///./var/x.db", std::chrono::seconds(3)).sqlite_path, "./var/x.db");
    EXPECT_EQ(parse_connection_url("sqlite:///srv/x.db", std::chrono::seconds(3)).sqlite_path, "/srv/x.db");
    auto pg = parse_connection_url("postgresql://us%40er:p%27w@db.example:6543/chat?sslmode=require",
                                   std::chrono::seconds(3));
    EXPECT_EQ(pg.postgresql_connect_string,
              "host='db.example' port='6543' dbname='chat' user='us@er' password='p\\'w' sslmode='require' "
              "connect_timeout='3' keepalives='1' keepalives_idle='10' keepalives_interval='3' keepalives_count='3' "
              "tcp_user_timeout='10000'");
    auto own = parse_connection_url("postgresql://db/chat?keepalives_idle=60&password=x%20keepalives_count%3D9",
                                    std::chrono::seconds(3));
    EXPECT_NE(own.postgresql_connect_string.find("keepalives_idle='60'"), std::string::npos);
    EXPECT_EQ(own.postgresql_connect_string.find("keepalives_idle='10'"), std::string::npos) << "the URL's own wins";
    EXPECT_NE(own.postgresql_connect_string.find("keepalives_count='3'"), std::string::npos)
        << "a keyword inside a value is not a keyword";
    EXPECT_THROW(static_cast<void>(parse_connection_url("mysql://x", std::chrono::seconds(3))), std::invalid_argument);
    auto v6 = parse_connection_url("postgresql://u@[::1]:5433/db", std::chrono::seconds(3));
    EXPECT_EQ(v6.postgresql_connect_string.rfind("host='::1' port='5433' dbname='db' user='u' ", 0), 0u)
        << v6.postgresql_connect_string;
    auto socket = parse_connection_url("postgresql://%2Frun%2Fpostgresql/db", std::chrono::seconds(3));
    EXPECT_EQ(socket.postgresql_connect_string.rfind("host='/run/postgresql' dbname='db' ", 0), 0u)
        << socket.postgresql_connect_string;
    EXPECT_THROW(static_cast<void>(parse_connection_url("postgresql://u:p@ss@db/x", std::chrono::seconds(3))),
                 std::invalid_argument)
        << "an unencoded @ in the password";
}

TEST(percent, decodes_escapes_and_keeps_malformed_ones)
{
    EXPECT_EQ(chatkit::util::percent_decode("a%20b%2Fc"), "a b/c");
    EXPECT_EQ(chatkit::util::percent_decode("100%"), "100%");
    EXPECT_EQ(chatkit::util::percent_decode("%zz"), "%zz");
}

TEST(return_url, only_listed_origins_get_a_verification_link)
{
    using chatkit::util::accepted_return_url;
    const std::vector<std::string> origins{"https://docs.example.com"};
    EXPECT_EQ(accepted_return_url("https://docs.example.com/guide/install?x=1", origins, false),
              "https://docs.example.com/guide/install?x=1");
    EXPECT_TRUE(accepted_return_url("https://DOCS.example.com/", origins, false)) << "hosts compare case-blind";
    EXPECT_TRUE(accepted_return_url("https://docs.example.com", origins, false));
    for (const char* refused :
         {"https://evil.example.com/", "https://docs.example.com.evil.net/", "https://docs.example.com@evil.net/",
          "http://docs.example.com/", "https://docs.example.com:444/", "https://docs.example.com/#frag",
          "https://docs.example.com/a b", "https://docs.example.com/\r\nX: y", "javascript:alert(1)",
          "//docs.example.com/", "/relative", "", "https://docs.example.com\\@evil.net/"})
        EXPECT_FALSE(accepted_return_url(refused, origins, false)) << refused;
    EXPECT_FALSE(accepted_return_url("https://docs.example.com/" + std::string(2100, 'a'), origins, false));
    EXPECT_FALSE(accepted_return_url("http://127.0.0.1:8000/docs", origins, false));
    EXPECT_TRUE(accepted_return_url("http://127.0.0.1:8000/docs", origins, true)) << "development: loopback";
    EXPECT_TRUE(accepted_return_url("http://localhost/", {}, true));
    EXPECT_FALSE(accepted_return_url("http://localhost.evil.net/", {}, true));
}
