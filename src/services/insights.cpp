#include "chatkit/services/insights.hpp"

#include "chatkit/chat/search/terms.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/insights_repo.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

namespace chatkit::services {

namespace {

bool token_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '+' || c == '/' ||
           c == '=';
}

std::string day_of(long long days)
{
    auto t = static_cast<std::time_t>(days * 86400);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char out[64];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return out;
}

long long percentile(std::vector<long long> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

} // namespace

std::string insights::masked(std::string_view text)
{
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!token_char(text[i]) && text[i] != '@' && text[i] != ':') {
            out += text[i++];
            continue;
        }
        auto end = i;
        while (end < text.size() && (token_char(text[end]) || text[end] == '@' || text[end] == ':'))
            ++end;
        std::string_view word = text.substr(i, end - i);
        auto scheme = word.find("://");
        auto at = word.find('@');
        if (scheme != std::string_view::npos && at != std::string_view::npos && at > scheme)
            out.append(word.substr(0, scheme + 3)).append("[credentials]").append(word.substr(at));
        else if (at != std::string_view::npos && at > 0 && word.find('.', at) != std::string_view::npos)
            out += "[email]";
        else if (word.size() >= 24 && std::count_if(word.begin(), word.end(), [](char c) {
                                          return std::isdigit(static_cast<unsigned char>(c));
                                      }) >= 4)
            out += "[token]";
        else
            out.append(word);
        i = end;
    }
    return out;
}

boost::asio::awaitable<boost::json::object> insights::report(long long from, long long to,
                                                             std::shared_ptr<const chat::retriever> corpus)
{
    auto data =
        co_await db_.read([&](soci::session& s) { return store::insights_repo::read_window(s, from, to, max_rows); });

    boost::json::array per_day;
    long long questions = 0;
    for (const auto& d : data.per_day) {
        per_day.push_back({{"day", day_of(d.day)}, {"tier", d.tier}, {"questions", d.questions}});
        questions += d.questions;
    }

    // Refused questions that share their significant words are one gap.
    std::map<std::string, std::pair<long long, std::vector<std::string>>> groups;
    for (const auto& q : data.refused_questions) {
        auto terms = chat::terms_of(q.question);
        std::set<std::string> key_terms(terms.begin(), terms.end());
        std::string key;
        for (const auto& t : key_terms) {
            if (!key.empty())
                key += ' ';
            key += t;
        }
        auto& g = groups[key];
        ++g.first;
        if (g.second.size() < 3)
            g.second.push_back(masked(q.question));
    }
    std::vector<std::pair<std::string, std::pair<long long, std::vector<std::string>>>> ranked(groups.begin(),
                                                                                               groups.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    boost::json::array refused;
    for (const auto& [terms, g] : ranked) {
        boost::json::array examples;
        for (const auto& e : g.second)
            examples.push_back(boost::json::string(e));
        refused.push_back({{"terms", terms}, {"count", g.first}, {"examples", std::move(examples)}});
    }

    boost::json::array down;
    for (const auto& r : data.thumbs_down) {
        boost::system::error_code ec;
        auto sources =
            r.sources_json.empty() ? boost::json::value(boost::json::array()) : boost::json::parse(r.sources_json, ec);
        down.push_back({{"question", masked(r.question)},
                        {"answer", r.answer},
                        {"sources", ec ? boost::json::value(boost::json::array()) : sources},
                        {"reason", r.reason},
                        {"comment", masked(r.comment)},
                        {"rated_at", r.rated_at}});
    }

    std::map<std::string, std::pair<long long, std::string>> cited; // id -> count, title
    for (const auto& json : data.cited_sources) {
        boost::system::error_code ec;
        auto v = boost::json::parse(json, ec);
        if (ec || !v.is_array())
            continue;
        for (const auto& source : v.as_array()) {
            const auto* o = source.if_object();
            if (!o || !o->contains("id") || !o->at("id").is_string())
                continue;
            auto& c = cited[std::string(o->at("id").as_string())];
            ++c.first;
            if (o->contains("title") && o->at("title").is_string())
                c.second = std::string(o->at("title").as_string());
        }
    }
    std::vector<std::pair<std::string, std::pair<long long, std::string>>> most(cited.begin(), cited.end());
    std::stable_sort(most.begin(), most.end(),
                     [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    boost::json::array most_cited, never_cited;
    for (std::size_t i = 0; i < most.size() && i < 50; ++i)
        most_cited.push_back(
            {{"id", most[i].first}, {"title", most[i].second.second}, {"citations", most[i].second.first}});
    for (const auto& section : corpus->sections())
        if (!cited.contains(section.id) && never_cited.size() < static_cast<std::size_t>(max_rows))
            never_cited.push_back({{"id", section.id}, {"title", section.title}, {"url", section.url}});

    co_return boost::json::object{
        {"from", from},
        {"to", to},
        {"questions", questions},
        {"per_day", std::move(per_day)},
        {"answered", data.answered},
        {"refused", data.refused},
        {"refused_groups", std::move(refused)},
        {"thumbs_down", std::move(down)},
        {"most_cited", std::move(most_cited)},
        {"never_cited", std::move(never_cited)},
        {"answer_seconds", boost::json::object{{"p50", percentile(data.answer_seconds, 0.5)},
                                               {"p95", percentile(data.answer_seconds, 0.95)}}}};
}

} // namespace chatkit::services
