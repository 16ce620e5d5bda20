#include "chatkit/handlers/user.hpp"

#include "chatkit/chat/search/terms.hpp"
#include "chatkit/http/auth_reply.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/services/saved_chats.hpp"

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

// The user's most frequent words (stop words, numbers and short words left out).
std::vector<std::string> topics_of(const std::string& text, std::size_t limit)
{
    std::map<std::string, int> counts;
    std::string word;
    auto count = [&] {
        if (word.size() > 2 && !chat::is_stop_word(word) &&
            !std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
            ++counts[word];
        word.clear();
    };
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c >= 0x80)
            word += static_cast<char>(std::tolower(c));
        else
            count();
    }
    count();
    std::vector<std::pair<std::string, int>> ranked(counts.begin(), counts.end());
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.second > b.second; });
    std::vector<std::string> out;
    for (auto& [w, n] : ranked) {
        if (out.size() == limit)
            break;
        out.push_back(w);
    }
    return out;
}

// Sections scored against what the user says they want (preferences,
// weight 0.6) and what they asked before (history, weight 0.4); either
// alone when the other is empty. Each side's chances count relative to its
// best, so a long, precise history does not drown two stated topics; but
// never relative to less than a 10% chance, so a history of small talk
// does not turn its best weak match into a strong one.
constexpr double min_best_chance = 0.1;

std::vector<chat::hit> rank(const chat::retriever& corpus, const std::string& stated, const std::string& history,
                            std::size_t limit)
{
    bool has_stated = stated.find_first_not_of(' ') != std::string::npos;
    bool has_history = history.find_first_not_of(' ') != std::string::npos;
    std::map<const chat::section*, double> combined;
    auto add = [&](const std::string& text, double weight) {
        auto hits = corpus.search(text, 50);
        for (const auto& h : hits)
            combined[h.doc] += weight * h.score / std::max(hits.front().score, min_best_chance);
    };
    if (has_stated)
        add(stated, has_history ? 0.6 : 1.0);
    if (has_history)
        add(history, has_stated ? 0.4 : 1.0);
    std::vector<chat::hit> out;
    for (auto& [doc, score] : combined)
        out.push_back({doc, score, 1.0});
    std::sort(out.begin(), out.end(), [](const chat::hit& a, const chat::hit& b) {
        return a.score != b.score ? a.score > b.score : a.doc->id < b.doc->id;
    });
    if (out.size() > limit)
        out.resize(limit);
    return out;
}

} // namespace

void mount_user(http::router& r, services::chat_service& chat, services::saved_chats& saved, std::size_t max_json_depth)
{
    r.add("POST", "/api/v1/user/personalize",
          [&chat, &saved, max_json_depth](http::request& req,
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
              auto questions = co_await saved.recent_questions(user, 50);

              std::string stated;
              collect_strings(preferences, stated);
              std::string history;
              for (const auto& q : questions)
                  history += ' ' + q;
              auto index = chat.corpus(); // the hits point into it: held until they are used
              auto hits = rank(*index, stated, history, 5);
              auto profile = stated + ' ' + history;
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
                            boost::json::object{{"tier", http::tier_name(ctx.caller->tier)},
                                                {"topics", topics},
                                                {"sections", sections},
                                                {"based_on", boost::json::object{{"questions", questions.size()},
                                                                                 {"preferences", !stated.empty()}}}}}});
          },
          {.body_limit = 16 * 1024, .json_body = true, .rate = http::rate_action::personalize});
}

} // namespace chatkit::handlers
