#include "pg_notices.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

namespace chatkit::store {

namespace {

void log_notice(void*, const char* message)
{
    std::string_view text(message);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    spdlog::debug("postgresql: {}", text);
}

} // namespace

void route_notices_to_log(PGconn* connection)
{
    PQsetNoticeProcessor(connection, log_notice, nullptr);
}

} // namespace chatkit::store
