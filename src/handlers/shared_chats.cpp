#include "chatkit/handlers/shared_chats.hpp"

#include "chatkit/chat/corpus/page_html.hpp"
#include "chatkit/config/config.hpp"
#include "chatkit/handlers/chat_requests.hpp"
#include "chatkit/http/auth_reply.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/chat_shares.hpp"
#include "chatkit/services/local_limiter.hpp"
#include "chatkit/util/address_set.hpp"
#include "chatkit/util/time.hpp"

#include <boost/json/parse.hpp>

namespace chatkit::handlers {

namespace {

using boost::asio::awaitable;

// The page runs no script, loads nothing but the docs' stylesheet, submits
// nothing and is never framed.
constexpr std::string_view page_csp =
    "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The client's name for a conversation: context.session_id, else "default".
bool conversation_key_shaped(std::string_view key)
{
    return key == "default" || is_uuid(key);
}

std::string document(std::string_view title, const std::string& body)
{
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
           "<meta name=\"referrer\" content=\"no-referrer\">\n<title>" +
           chat::html_escape(title) +
           "</title>\n<link rel=\"stylesheet\" href=\"/widget/docs.css\">\n</head>\n<body>\n<main>\n" + body +
           "</main>\n</body>\n</html>\n";
}

// A shared page, or the page saying a link does not work: kept out of
// search engines and caches, and its address (the secret) out of Referer
// headers, on both, so neither tells a link that works from one that does not.
http::reply html_page(unsigned status, std::string_view title, const std::string& body)
{
    http::reply r;
    r.status = status;
    r.headers.add("Content-Type", "text/html; charset=utf-8");
    r.headers.add("Cache-Control", "no-store");
    r.headers.add("Content-Security-Policy", std::string(page_csp));
    r.headers.add("X-Robots-Tag", "noindex, nofollow");
    r.headers.add("Referrer-Policy", "no-referrer");
    r.body = document(title, body);
    return r;
}

// A question as the reader typed it: text, its line breaks kept.
std::string question_html(const std::string& text)
{
    std::string out = "<p>";
    std::size_t start = 0;
    while (true) {
        auto end = text.find('\n', start);
        out += chat::html_escape(std::string_view(text).substr(start, end - start));
        if (end == std::string::npos)
            break;
        out += "<br>\n";
        start = end + 1;
    }
    return out + "</p>\n";
}

// An answer's sources, numbered as its [n] cite them. Stored by this server,
// but a row that does not parse shows none rather than failing the page.
std::string sources_html(const std::string& stored, bool local_links)
{
    boost::system::error_code ec;
    auto v = stored.empty() ? boost::json::value() : boost::json::parse(stored, ec);
    if (ec || !v.is_array() || v.as_array().empty())
        return {};
    std::string out = "<p>Sources:</p>\n<ol class=\"sources\">\n";
    for (const auto& s : v.as_array()) {
        const auto* o = s.if_object();
        const auto* title = o ? o->if_contains("title") : nullptr;
        const auto* url = o ? o->if_contains("url") : nullptr;
        std::string name = title && title->is_string() ? std::string(title->as_string()) : std::string("Source");
        auto href = url && url->is_string() ? chat::answer_link(url->as_string(), local_links) : std::string();
        if (!href.empty())
            out += "<li><a href=\"" + chat::html_escape(href) + "\" rel=\"noopener noreferrer nofollow\">" +
                   chat::html_escape(name) + "</a></li>\n";
        else
            out += "<li>" + chat::html_escape(name) + "</li>\n";
    }
    return out + "</ol>\n";
}

std::string conversation_html(const store::share_repo::shared_conversation& c, bool local_links)
{
    std::string out = "<h1>Shared conversation</h1>\n"
                      "<p>A read-only copy of a conversation with the documentation assistant, shared by the reader "
                      "who had it on " +
                      util::rfc3339(c.shared_at).substr(0, 10) + ". The link works until " +
                      util::rfc3339(c.expires_at).substr(0, 10) +
                      " (UTC) at the latest, or until they revoke it.</p>\n";
    if (c.earlier_left_out)
        out += "<p><em>Earlier messages are not shown: the page shows the newest that fit.</em></p>\n";
    if (c.messages.empty())
        out += "<p>Nothing has been asked in it yet.</p>\n";
    for (const auto& m : c.messages) {
        if (m.role == "user") {
            out += "<h2>Question</h2>\n" + question_html(m.content);
            continue;
        }
        out += "<h3>Answer</h3>\n";
        if (m.status == "cancelled")
            out += "<p><em>Stopped before it was complete.</em></p>\n";
        else if (m.status == "failed")
            out += "<p><em>This answer failed before it was complete.</em></p>\n";
        out += chat::answer_html(m.content, local_links);
        out += sources_html(m.sources_json, local_links);
    }
    return out;
}

struct shared_routes {
    services::chat_shares& shares;
    services::local_limiter& limiter;
    const config::config& cfg;

    awaitable<http::reply> share(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        auto key = std::string(ctx.param("conversation_id"));
        std::optional<services::chat_shares::link> made;
        if (conversation_key_shaped(key))
            made = co_await shares.share(ctx.caller->user_id, ctx.caller->session_id, key);
        if (!made)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such conversation.");
        co_return http::json_reply(200, boost::json::object{{"share_id", made->id},
                                                            {"path", "/c/" + made->id},
                                                            {"created_at", util::rfc3339(made->created_at)},
                                                            {"expires_at", util::rfc3339(made->expires_at)}});
    }

    // The caller's live links, so that one made long ago can be found and
    // revoked; never the links themselves (sharing again gives one).
    awaitable<http::reply> list(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        auto found = co_await shares.list(ctx.caller->user_id, ctx.caller->session_id);
        // No braced lists in a coroutine body (GCC 12).
        boost::json::array out;
        for (const auto& s : found) {
            boost::json::object o;
            o["conversation_id"] = s.key;
            o["created_at"] = util::rfc3339(s.created_at);
            o["expires_at"] = util::rfc3339(s.expires_at);
            out.push_back(std::move(o));
        }
        boost::json::object body;
        body["shares"] = std::move(out);
        co_return http::json_reply(200, std::move(body));
    }

    awaitable<http::reply> revoke(http::request&, http::request_context& ctx) const
    {
        if (auto denied = http::require_caller(ctx))
            co_return *denied;
        auto key = std::string(ctx.param("conversation_id"));
        bool found = false;
        if (conversation_key_shaped(key))
            found = co_await shares.revoke(ctx.caller->user_id, ctx.caller->session_id, key);
        if (!found)
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such conversation.");
        co_return http::no_content();
    }

    awaitable<http::reply> page(http::request&, http::request_context& ctx) const
    {
        // Every view counts, found or not: the limit also bounds guessing.
        auto client = "shared_page:" + util::limit_key(ctx.client_ip, cfg.ipv6_limit_prefix);
        if (auto no = limiter.admit(client, 1, cfg.rates.shared_page, "views of shared conversations"))
            co_return http::too_many_requests(ctx, no->retry_after, no->limit);
        auto found = co_await shares.read(std::string(ctx.param("share_id")));
        if (!found)
            co_return html_page(404, "Link not found",
                                "<h1>This link does not work</h1>\n<p>The conversation it showed has been deleted, "
                                "or whoever shared it has revoked the link.</p>\n");
        // Root-relative source links lead somewhere only when this server
        // serves the docs itself.
        bool local_links = cfg.corpus_url_prefix == "/docs/";
        co_return html_page(200, "Shared conversation", conversation_html(*found, local_links));
    }
};

} // namespace

void mount_shared_chats(http::router& r, services::chat_shares& shares, services::local_limiter& limiter,
                        const config::config& cfg)
{
    auto routes = std::make_shared<shared_routes>(shared_routes{shares, limiter, cfg});
    auto bind = [routes](awaitable<http::reply> (shared_routes::*fn)(http::request&, http::request_context&) const) {
        return [routes, fn](http::request& req, http::request_context& ctx) {
            return ((*routes).*fn)(req, ctx);
        };
    };
    r.add("POST", "/api/v1/chat/conversations/{conversation_id}/share", bind(&shared_routes::share),
          {.body_limit = 1024});
    r.add("DELETE", "/api/v1/chat/conversations/{conversation_id}/share", bind(&shared_routes::revoke),
          {.body_limit = 1024});
    r.add("GET", "/api/v1/chat/shares", bind(&shared_routes::list));
    r.add("GET", "/c/{share_id}", bind(&shared_routes::page), {.body_limit = 1024, .secret_path = true});
}

} // namespace chatkit::handlers
