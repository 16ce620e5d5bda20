#include "chatkit/handlers/docs_pages.hpp"

#include "chatkit/chat/corpus/page_html.hpp"
#include "chatkit/chat/corpus/site_rules.hpp"
#include "chatkit/handlers/static_files.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/util/url.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

namespace chatkit::handlers {

namespace {

std::string document(const std::string& title, const std::string& body)
{
    auto t = chat::html_escape(title);
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           t +
           " · Documentation</title>\n<link rel=\"stylesheet\" href=\"/widget/docs.css\">\n"
           "<script type=\"module\" src=\"/widget/chatkit-widget.js\"></script>\n</head>\n<body>\n"
           "<nav class=\"crumbs\"><a href=\"/docs/\">Documentation</a></nav>\n<main>\n" +
           body +
           "</main>\n<chatkit-widget api-base=\"\" title=\"Ask the docs\" theme=\"auto\"></chatkit-widget>\n"
           "</body>\n</html>\n";
}

http::reply html(std::string body)
{
    http::reply r;
    r.headers.add("Content-Type", "text/html; charset=utf-8");
    r.headers.add("Cache-Control", "no-cache");
    r.headers.add("Content-Security-Policy", std::string(demo_page_csp));
    r.body = std::move(body);
    return r;
}

// A picture of the corpus, read when asked (pictures can be large; pages
// are few); nullopt when it can no longer be read. An SVG is a document that
// could run script: its own CSP forbids that.
std::optional<http::reply> picture(const std::filesystem::path& file)
{
    static const std::map<std::string, std::string, std::less<>> types{
        {".png", "image/png"}, {".jpg", "image/jpeg"},    {".jpeg", "image/jpeg"},
        {".gif", "image/gif"}, {".svg", "image/svg+xml"}, {".webp", "image/webp"}};
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    http::reply r;
    r.body.assign(std::istreambuf_iterator<char>(in), {});
    r.headers.add("Content-Type", types.at(file.extension().string()));
    r.headers.add("Cache-Control", "public, max-age=3600");
    r.headers.add("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    return r;
}

std::string index_of(const chat::corpus& c)
{
    std::string list = "<h1>Documentation</h1>\n<ul class=\"pages\">\n";
    for (const auto& p : c.pages())
        list += "<li><a href=\"" + chat::html_escape(p->url) + "\">" + chat::html_escape(p->title) + "</a></li>\n";
    return list + "</ul>\n";
}

} // namespace

void mount_docs(http::router& r, services::chat_service& chat)
{
    r.add("GET", "/docs/{page...}",
          [&chat](http::request&, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              auto index = chat.corpus();
              const auto& source = index->source();
              // Page URLs are stored percent-encoded; however a client encoded
              // this one, it is compared in that form.
              auto wanted = chat::url_path_encode(util::percent_decode(ctx.param("page")));
              if (wanted.empty())
                  co_return html(document("Documentation", index_of(source)));
              const auto* p = source.find_page("/docs/" + wanted);
              if (!p) {
                  if (const auto* image = source.image_at(util::percent_decode(ctx.param("page"))))
                      if (auto reply = picture(*image))
                          co_return std::move(*reply);
                  co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such documentation page.");
              }
              co_return html(document(p->title, chat::page_html(source, *p)));
          });
}

} // namespace chatkit::handlers
