#pragma once

#include "chatkit/chat/embed/embeddings_client.hpp"
#include "chatkit/config/config.hpp"

#include <string>

namespace chatkit {

// EMBEDDINGS_* as the embeddings client takes them.
[[nodiscard]] chat::embeddings_settings embeddings_settings_for(const config::config& cfg);

// check-config's one request to the endpoint: "<model>, <n> dimensions", or
// what went wrong (ok false). Never names the key.
struct embeddings_probe {
    bool ok = false;
    std::string message;
};
[[nodiscard]] embeddings_probe probe_embeddings(const config::config& cfg);

} // namespace chatkit
