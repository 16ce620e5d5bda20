#pragma once

#include "chatkit/chat/search/retriever.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

// What the docs team learns from the chat over a window of days: questions
// per day and tier, answered against refused, the refused questions grouped
// by their significant words ("what readers ask that the docs don't
// cover"), the answers readers rated down, the sections cited most and
// never, and answer times. Read from the shared database, so any instance
// sees every instance's readers.
class insights {
public:
    explicit insights(store::db_executor& db) : db_(db) {}

    // [from, to) in seconds; `corpus` says which sections were never cited.
    boost::asio::awaitable<boost::json::object> report(long long from, long long to,
                                                       std::shared_ptr<const chat::retriever> corpus);

    // Question text as the insights show it: email addresses, credentials in
    // URLs and long token-like strings masked.
    [[nodiscard]] static std::string masked(std::string_view text);

    static constexpr int max_rows = 500;

private:
    store::db_executor& db_;
};

} // namespace chatkit::services
