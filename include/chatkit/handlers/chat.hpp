#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class chat_service;
}
namespace chatkit::store {
class db_executor;
}
namespace chatkit::config {
struct config;
}

namespace chatkit::handlers {

// API.md "Chat": /chat, /chat/stream, resume, cancel, saved chats.
void mount_chat(http::router& r, services::chat_service& chat, store::db_executor& db, const config::config& cfg);

} // namespace chatkit::handlers
