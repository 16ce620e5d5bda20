#include "chatkit/services/orphan_answers.hpp"

#include "chatkit/http/sse.hpp"
#include "chatkit/services/cited_sources.hpp"
#include "chatkit/store/chat_repo.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/util/time.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

namespace chatkit::services {

namespace repo = store::chat_repo;

namespace {

constexpr int per_pass = 50;
// The dead instance may have sent frames its journal never wrote (up to a
// flush interval's worth), and a client resumes from the last it saw. The
// error that ends the answer is numbered past any of them: no answer has
// this many frames (LLM_MAX_ANSWER_BYTES is at most 64 MiB), and the sum
// stays under the largest Last-Event-ID a client may send.
constexpr long long past_unjournaled_frames = 100'000'000;

// What the stored frames of an answer say: its text, its sources, and how
// it ended if its final frame was written before its instance died.
struct replayed {
    std::string answer;
    std::string sources_json = "[]";
    std::string status; // empty: no final frame
    long long next_seq = 0;
};

replayed replay(const std::vector<std::pair<long long, std::string>>& frames)
{
    replayed out;
    for (const auto& [seq, frame] : frames) {
        out.next_seq = seq + 1;
        std::string_view rest(frame), event, data;
        while (!rest.empty()) {
            auto end = rest.find('\n');
            auto line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            if (line.starts_with("event: "))
                event = line.substr(7);
            else if (line.starts_with("data: "))
                data = line.substr(6);
        }
        boost::system::error_code ec;
        auto value = boost::json::parse(data, ec);
        if (ec || !value.is_object())
            continue;
        const auto& o = value.as_object();
        if (event == "token" && o.contains("content") && o.at("content").is_string())
            out.answer += o.at("content").as_string();
        else if (event == "sources" && o.contains("sources"))
            out.sources_json = boost::json::serialize(o.at("sources"));
        else if (event == "done")
            out.status = o.contains("cancelled") ? "cancelled" : "complete";
        else if (event == "error")
            out.status = "failed";
    }
    return out;
}

// In one transaction, and only if no other instance closed it first.
void close(soci::session& s, const repo::orphan& o, long long now)
{
    soci::transaction tx(s);
    if (!repo::finish_if_open(s, o.message_id, now))
        return;
    auto was = replay(repo::events_after(s, o.message_id, -1));
    if (was.status.empty()) {
        boost::json::object error{
            {"error", boost::json::object{{"code", "GENERATION_FAILED"},
                                          {"message", "The answer was cut off: its server stopped."},
                                          {"details", nullptr}}}};
        auto seq = was.next_seq + past_unjournaled_frames;
        auto frame = "id: " + o.message_id + ":" + std::to_string(seq) + "\n" +
                     http::sse_fields("error", boost::json::serialize(error));
        repo::append_events(s, {{o.message_id, seq, frame}});
        was.status = "failed";
    }
    if (!o.session_id.empty() && !o.question.empty()) {
        auto sources = boost::json::parse(was.sources_json);
        auto kept = cited_sources_first(was.answer, sources.is_array() ? sources.as_array() : boost::json::array());
        repo::record_turn(s, o.message_id, o.conversation_key, o.session_id, o.user_id,
                          {o.question, std::move(kept.text), boost::json::serialize(kept.sources), was.status},
                          now * 1000);
    }
    tx.commit();
}

} // namespace

orphan_answers::orphan_answers(store::db_executor& db, boost::asio::any_io_executor executor, std::string instance_id,
                               std::chrono::seconds lease)
    : periodic_flush(executor, std::chrono::duration_cast<std::chrono::milliseconds>(lease) / 3), db_(db),
      instance_id_(std::move(instance_id)), lease_(lease)
{
}

boost::asio::awaitable<void> orphan_answers::flush()
{
    auto now = util::now_seconds();
    auto lease = lease_.count();
    try {
        co_await db_.write([&](soci::session& s) { repo::renew_instance(s, instance_id_, now, now + lease); });
        // Started a lease ago at least: its instance had time to take its lease.
        auto orphans =
            co_await db_.read([&](soci::session& s) { return repo::orphaned_streams(s, now, now - lease, per_pass); });
        for (const auto& o : orphans)
            co_await db_.write([&](soci::session& s) { close(s, o, now); });
        if (!orphans.empty())
            spdlog::warn("ended {} answer(s) left unfinished by an instance that stopped", orphans.size());
    } catch (const std::exception& e) {
        spdlog::warn("orphaned answers: {}", e.what());
    }
}

} // namespace chatkit::services
