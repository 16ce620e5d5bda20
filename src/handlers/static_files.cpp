#include "chatkit/handlers/static_files.hpp"

#include "chatkit/http/json_reply.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace chatkit::handlers {

namespace {

struct file {
    std::string body;
    std::string type;
    std::string etag;
};

std::string content_type(const std::filesystem::path& p)
{
    static const std::map<std::string, std::string> types{{".js", "text/javascript; charset=utf-8"},
                                                          {".mjs", "text/javascript; charset=utf-8"},
                                                          {".css", "text/css; charset=utf-8"},
                                                          {".html", "text/html; charset=utf-8"},
                                                          {".svg", "image/svg+xml"},
                                                          {".png", "image/png"},
                                                          {".json", "application/json"},
                                                          {".txt", "text/plain; charset=utf-8"}};
    auto it = types.find(p.extension().string());
    return it == types.end() ? "application/octet-stream" : it->second;
}

std::string etag_of(const std::string& body)
{
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(body.data()), body.size(), nullptr, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return std::string("\"") + hex + "\"";
}

http::reply serve(const file& f, const http::request& req, std::string_view cache_control, std::string_view csp)
{
    http::reply r;
    r.headers.add("Cache-Control", std::string(cache_control));
    r.headers.add("ETag", f.etag);
    if (!csp.empty())
        r.headers.add("Content-Security-Policy", std::string(csp));
    if (auto match = req.headers.get("If-None-Match"); match && *match == f.etag) {
        r.status = 304;
        return r;
    }
    r.headers.add("Content-Type", f.type);
    r.body = f.body;
    return r;
}

} // namespace

void mount_static(http::router& r, const std::string& widget_dir)
{
    auto files = std::make_shared<std::map<std::string, file, std::less<>>>();
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(widget_dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file())
            continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        auto name = std::filesystem::relative(it->path(), widget_dir).generic_string();
        (*files)[name] = {ss.str(), content_type(it->path()), etag_of(ss.str())};
    }
    if (ec || files->empty())
        spdlog::warn("widget folder {} is missing or empty: / and /widget/ will answer 404", widget_dir);

    r.add("GET", "/", [files](http::request& req, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
        auto it = files->find("demo.html");
        if (it == files->end())
            co_return http::error_reply(ctx, 404, "NOT_FOUND", "No demo page is installed.");
        co_return serve(it->second, req, "no-cache", demo_page_csp);
    });
    r.add("GET", "/widget/{file}",
          [files](http::request& req, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
              auto it = files->find(ctx.param("file"));
              if (it == files->end() || it->first == "demo.html")
                  co_return http::error_reply(ctx, 404, "NOT_FOUND", "No such file.");
              // Revalidated daily, cheap to revalidate (ETag): sites pick up
              // a new widget within a day without a versioned URL.
              co_return serve(it->second, req, "public, max-age=86400", {});
          });
}

} // namespace chatkit::handlers
