#include "chatkit/handlers/insights.hpp"

#include "chatkit/chat/corpus/page_html.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/http/router.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/services/insights.hpp"
#include "chatkit/util/url.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <ctime>
#include <optional>
#include <vector>

namespace chatkit::handlers {

namespace {

constexpr long long day_seconds = 86400;
constexpr long long default_days = 30;
// The page runs no script and loads nothing: only its own form may submit.
constexpr std::string_view page_csp = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string query_value(std::string_view query, std::string_view name)
{
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return util::percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return {};
}

// "YYYY-MM-DD" as seconds at the start of that day (UTC).
std::optional<long long> day_start(const std::string& text)
{
    std::tm t{};
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d", &t.tm_year, &t.tm_mon, &t.tm_mday) != 3)
        return std::nullopt;
    t.tm_year -= 1900;
    t.tm_mon -= 1;
    auto s = ::timegm(&t);
    return s < 0 ? std::nullopt : std::optional<long long>(s);
}

std::string csv_cell(const boost::json::value& v)
{
    std::string text = v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
    std::string out = "\"";
    // A spreadsheet runs a cell that starts like a formula.
    if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos)
        out += '\'';
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_of(const boost::json::array& rows)
{
    if (rows.empty())
        return {};
    std::string out;
    const auto& first = rows.front().as_object();
    auto line = [&out](const auto& cells) {
        bool first_cell = true;
        for (const auto& cell : cells) {
            if (!first_cell)
                out += ',';
            out += cell;
            first_cell = false;
        }
        out += "\r\n";
    };
    std::vector<std::string> header, values;
    for (const auto& [key, value] : first)
        header.push_back(csv_cell(boost::json::string(key)));
    line(header);
    for (const auto& row : rows) {
        values.clear();
        for (const auto& [key, value] : row.as_object())
            values.push_back(csv_cell(value));
        line(values);
    }
    return out;
}

std::string table_html(const boost::json::array& rows)
{
    if (rows.empty())
        return "<p>None.</p>\n";
    std::string out = "<table>\n<tr>";
    for (const auto& [key, value] : rows.front().as_object())
        out += "<th>" + chat::html_escape(key) + "</th>";
    out += "</tr>\n";
    for (const auto& row : rows) {
        out += "<tr>";
        for (const auto& [key, value] : row.as_object())
            out +=
                "<td>" +
                chat::html_escape(value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value)) +
                "</td>";
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

std::string page_of(const boost::json::object& r, const std::string& from, const std::string& to)
{
    auto section = [&](const char* title, const char* key) {
        return std::string("<h2>") + title + "</h2>\n" + table_html(r.at(key).as_array());
    };
    std::string html =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ChatKit insights</title></head>\n"
        "<body>\n<h1>What readers asked</h1>\n<form method=\"get\" action=\"/admin/insights\">\n"
        "<label>From <input type=\"date\" name=\"from\" value=\"" +
        chat::html_escape(from) + "\"></label>\n<label>To <input type=\"date\" name=\"to\" value=\"" +
        chat::html_escape(to) + "\"></label>\n<button>Show</button>\n</form>\n";
    html += "<p>" + std::to_string(r.at("questions").as_int64()) +
            " questions: " + std::to_string(r.at("answered").as_int64()) + " answered, " +
            std::to_string(r.at("refused").as_int64()) + " refused. Answer time p50 " +
            std::to_string(r.at("answer_seconds").at("p50").as_int64()) + " s, p95 " +
            std::to_string(r.at("answer_seconds").at("p95").as_int64()) + " s.</p>\n";
    html += section("Questions per day and tier", "per_day");
    html += section("What readers ask that the docs don't cover", "refused_groups");
    html += section("Answers rated down", "thumbs_down");
    html += section("Most cited sections", "most_cited");
    html += section("Sections never cited", "never_cited");
    html += "<p>Each table as CSV: /admin/api/insights?format=csv&amp;table=per_day (refused_groups, thumbs_down, "
            "most_cited, never_cited).</p>\n</body></html>\n";
    return html;
}

} // namespace

void mount_insights(http::router& r, services::insights& insights, services::chat_service& chat,
                    std::string admin_token)
{
    auto serve = [&insights, &chat, admin_token](bool page) {
        return [&insights, &chat, admin_token,
                page](http::request& req, http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
            if (!admin_token.empty()) {
                auto auth = req.headers.get("Authorization");
                bool ok =
                    auth && auth->starts_with("Bearer ") && security::equal_constant_time(auth->substr(7), admin_token);
                if (!ok) {
                    auto denied = http::error_reply(ctx, 401, "UNAUTHORIZED", "The admin routes want ADMIN_TOKEN.");
                    denied.headers.add("WWW-Authenticate", "Bearer");
                    co_return denied;
                }
            }
            auto now = static_cast<long long>(std::time(nullptr));
            auto from_text = query_value(req.query, "from"), to_text = query_value(req.query, "to");
            auto from =
                from_text.empty() ? std::optional<long long>(now - default_days * day_seconds) : day_start(from_text);
            auto to = to_text.empty() ? std::optional<long long>(now + 1) : day_start(to_text);
            if (!from || !to)
                co_return http::invalid_field(ctx, !from ? "from" : "to", "Dates are YYYY-MM-DD.");
            if (!to_text.empty())
                *to += day_seconds; // the whole last day
            auto report = co_await insights.report(*from, *to, chat.corpus());
            if (page) {
                http::reply reply;
                reply.headers.add("Content-Type", "text/html; charset=utf-8");
                reply.headers.add("Cache-Control", "no-store");
                reply.headers.add("Content-Security-Policy", std::string(page_csp));
                reply.body = page_of(report, from_text, to_text);
                co_return reply;
            }
            if (query_value(req.query, "format") == "csv") {
                auto table = query_value(req.query, "table");
                if (table == "from" || table == "to" || !report.contains(table) || !report.at(table).is_array())
                    co_return http::invalid_field(
                        ctx, "table", "table is per_day, refused_groups, thumbs_down, most_cited or never_cited.");
                http::reply reply;
                reply.headers.add("Content-Type", "text/csv; charset=utf-8");
                reply.headers.add("Content-Disposition", "attachment; filename=\"" + table + ".csv\"");
                reply.body = csv_of(report.at(table).as_array());
                co_return reply;
            }
            co_return http::json_reply(200, report);
        };
    };
    r.add("GET", "/admin/insights", serve(true));
    r.add("GET", "/admin/api/insights", serve(false));
}

} // namespace chatkit::handlers
