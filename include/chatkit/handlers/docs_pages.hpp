#pragma once

#include "chatkit/http/router.hpp"

namespace chatkit::services {
class chat_service;
}

namespace chatkit::handlers {

// GET /docs/ (the list of pages) and GET /docs/<page>: the corpus the server
// answers from, rendered as pages, so that every citation opens at its
// heading. The widget is embedded, so a reader can go on asking. Mounted when
// CORPUS_URL_PREFIX is "/docs/"; the corpus is read per request, so a reload
// shows at once.
void mount_docs(http::router& r, services::chat_service& chat);

} // namespace chatkit::handlers
