#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class chat_service;
class saved_chats;
class local_limiter;
} // namespace chatkit::services
namespace chatkit::config {
struct config;
}

namespace chatkit::handlers {

// API.md "Chat": /chat, /chat/stream, resume, cancel, saved chats.
void mount_chat(http::router& r, services::chat_service& chat, services::saved_chats& saved,
                services::local_limiter& limiter, const config::config& cfg);

} // namespace chatkit::handlers
