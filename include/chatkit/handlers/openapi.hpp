#pragma once

#include "chatkit/http/router.hpp"

#include <string_view>

namespace chatkit::handlers {

// docs/openapi.json, embedded at build time.
std::string_view openapi_document();

// GET /openapi.json: the OpenAPI 3.1 document of this API.
void mount_openapi(http::router& r);

} // namespace chatkit::handlers
