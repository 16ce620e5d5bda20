#include "chatkit/services/smtp_client.hpp"

#include "chatkit/security/tokens.hpp"
#include "chatkit/util/url.hpp"
#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace chatkit::services {

namespace {

struct parsed_url {
    std::string curl_url; // smtp://host:port or smtps://host:port
    std::string user, password;
    bool insecure = false;
};

// SMTP_URL was checked at start-up (config/validate.cpp); libcurl takes
// the credentials decoded and apart from the URL.
parsed_url parse(const std::string& text)
{
    parsed_url p;
    auto url = util::parse_absolute_url(text);
    if (!url)
        throw std::invalid_argument("SMTP_URL is not a valid URL");
    p.insecure = util::has_scheme(*url, {"smtp+insecure"});
    p.user = url->user();
    p.password = url->password();
    p.curl_url = std::string(util::has_scheme(*url, {"smtps"}) ? "smtps://" : "smtp://") +
                 std::string(url->encoded_host_and_port());
    return p;
}

std::string envelope_address(const std::string& from)
{
    auto open = from.find('<');
    auto close = from.find('>');
    if (open != std::string::npos && close != std::string::npos && close > open)
        return from.substr(open, close - open + 1);
    return "<" + from + ">";
}

std::string rfc5322_date()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

struct payload {
    std::string data;
    std::size_t sent = 0;
};

std::size_t read_payload(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto* p = static_cast<payload*>(user);
    auto n = std::min(size * count, p->data.size() - p->sent);
    std::memcpy(buffer, p->data.data() + p->sent, n);
    p->sent += n;
    return n;
}

void global_init_once()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

std::string send_mail(const smtp_settings& settings, const outgoing_mail& mail)
{
    global_init_once();
    auto url = parse(settings.url);
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return "curl_easy_init failed";

    auto domain = envelope_address(settings.from);
    domain = domain.substr(domain.find('@') + 1);
    domain.pop_back();
    payload body;
    body.data = "Date: " + rfc5322_date() + "\r\nTo: <" + mail.to + ">\r\nFrom: " + settings.from +
                "\r\nSubject: " + mail.subject + "\r\nMessage-ID: <" + security::new_uuid() + "@" + domain +
                ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n" +
                mail.body;

    curl_slist* recipients = curl_slist_append(nullptr, ("<" + mail.to + ">").c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients_guard(recipients, curl_slist_free_all);
    auto* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.curl_url.c_str());
    if (!url.user.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, url.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, url.password.c_str());
    }
    if (!url.insecure && url.curl_url.starts_with("smtp://"))
        curl_easy_setopt(c, CURLOPT_USE_SSL, settings.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, envelope_address(settings.from).c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(c, CURLOPT_READDATA, &body);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    auto rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        return curl_easy_strerror(rc);
    return {};
}

} // namespace chatkit::services
