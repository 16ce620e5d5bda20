#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class chat_service;
}
namespace chatkit::store {
class db_executor;
}

namespace chatkit::handlers {

// POST /api/v1/user/personalize (API.md "User").
void mount_user(http::router& r, services::chat_service& chat, store::db_executor& db, std::size_t max_json_depth);

} // namespace chatkit::handlers
