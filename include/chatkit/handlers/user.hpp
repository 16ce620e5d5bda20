#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class chat_service;
class saved_chats;
} // namespace chatkit::services

namespace chatkit::handlers {

// POST /api/v1/user/personalize (API.md "User").
void mount_user(http::router& r, services::chat_service& chat, services::saved_chats& saved,
                std::size_t max_json_depth);

} // namespace chatkit::handlers
