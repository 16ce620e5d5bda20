#include "chatkit/handlers/user.hpp"

#include "chatkit/http/auth_reply.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/db.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace chatkit::handlers {

namespace {

// Every string in a preferences object (keys of true flags too), so
// {"topics": ["deployment"], "level": "beginner"} becomes words to rank by.
void collect_strings(const boost::json::value& v, std::string& out, int depth = 0)
{
    if (depth > 8)
        return;
    if (v.is_string()) {
        out += ' ';
        out += v.as_string();
    } else if (v.is_array()) {
        for (const auto& item : v.as_array())
            collect_strings(item, out, depth + 1);
    } else if (v.is_object()) {
        for (const auto& [key, item] : v.as_object()) {
            if (item.is_bool() && item.as_bool()) {
                out += ' ';
                out += key;
            }
            collect_strings(item, out, depth + 1);
        }
    }
}

// The user's most frequent words that the corpus knows about.
std::vector<std::string> topics_of(const std::string& text, std::size_t limit)
{
    std::map<std::string, int> counts;
    for (auto& t : chat::tokenize(text))
        if (t.size() > 2 && !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
            ++counts[t];
    std::vector<std::pair<std::string, int>> ranked(counts.begin(), counts.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.second > b.second; });
    std::vector<std::string> out;
    for (auto& [word, n] : ranked) {
        if (out.size() == limit)
            break;
        out.push_back(word);
    }
    return out;
}

} // namespace

void mount_user(http::router& r, services::chat_service& chat, store::db_executor& db, std::size_t max_json_depth)
{
    r.add(
        "POST", "/api/v1/user/personalize",
        [&chat, &db, max_json_depth](http::request& req,
                                     http::request_context& ctx) -> boost::asio::awaitable<http::reply> {
            if (auto denied = http::require_user(ctx))
                co_return *denied;
            boost::json::object preferences;
            if (!req.body.empty()) {
                auto body = http::parse_json_object(req, ctx, max_json_depth);
                if (auto* error = std::get_if<http::reply>(&body))
                    co_return std::move(*error);
                http::json_fields fields(std::get<boost::json::object>(body), ctx);
                auto p = fields.object("preferences", false);
                if (fields.error())
                    co_return *fields.error();
                preferences = std::move(*p);
            }
            auto user = ctx.caller->user_id;
            auto questions = co_await db.read(
                [&](soci::session& s) { return store::chat_repo::recent_questions(s, user, 50); });

            // Preferences count three times: they are what the user says,
            // history is what the user did.
            std::string stated;
            collect_strings(preferences, stated);
            std::string profile = stated + ' ' + stated + ' ' + stated;
            for (const auto& q : questions)
                profile += ' ' + q;

            auto corpus = chat.corpus();
            auto hits = profile.find_first_not_of(' ') == std::string::npos ? std::vector<chat::hit>{}
                                                                            : corpus->search(profile, 5);
            boost::json::array recommendations, sections;
            std::set<std::string> seen;
            for (const auto& h : hits) {
                if (seen.insert(h.doc->title).second)
                    recommendations.push_back(boost::json::string(h.doc->title));
                sections.push_back(boost::json::object{{"id", h.doc->id},
                                                       {"title", h.doc->title},
                                                       {"url", h.doc->url},
                                                       {"score", std::round(h.score * 1000) / 1000}});
            }
            boost::json::array topics;
            for (auto& t : topics_of(profile, 5))
                topics.push_back(boost::json::string(t));
            co_return http::json_reply(
                200, boost::json::object{
                         {"recommendations", recommendations},
                         {"personalized_content",
                          boost::json::object{{"tier", ctx.caller->tier},
                                              {"topics", topics},
                                              {"sections", sections},
                                              {"based_on", boost::json::object{{"questions", questions.size()},
                                                                               {"preferences", !stated.empty()}}}}}});
        },
        {.body_limit = 16 * 1024, .json_body = true, .rate_action = "personalize"});
}

} // namespace chatkit::handlers
