#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class chat_shares;
class local_limiter;
} // namespace chatkit::services
namespace chatkit::config {
struct config;
}

namespace chatkit::handlers {

// API.md "Shared conversations": POST and DELETE
// /api/v1/chat/conversations/{conversation_id}/share for the conversation's
// owner, GET /api/v1/chat/shares (the caller's live links), and GET
// /c/{share_id}, the read-only page anyone with the link reads.
void mount_shared_chats(http::router& r, services::chat_shares& shares, services::local_limiter& limiter,
                        const config::config& cfg);

} // namespace chatkit::handlers
