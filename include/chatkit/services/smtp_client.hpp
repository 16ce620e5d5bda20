#pragma once

#include <string>

namespace chatkit::services {

struct smtp_settings {
    std::string url;         // SMTP_URL: smtp://user:pass@host:port, smtps://..., smtp+insecure://...
    std::string from;        // MAIL_FROM: "Name <address>" or "address"
    bool require_tls = true; // smtp:// must upgrade with STARTTLS (production)
};

struct outgoing_mail {
    std::string to;
    std::string subject;
    std::string body; // plain text, CRLF line ends
};

// Blocking delivery through libcurl's SMTP client; run it on a blocking
// pool, never on an I/O thread. Returns an empty string on success, else
// why it failed (no credentials or message content in it).
[[nodiscard]] std::string send_mail(const smtp_settings& settings, const outgoing_mail& mail);

} // namespace chatkit::services
