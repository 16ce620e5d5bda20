#pragma once

#include "chatkit/http/router.hpp"

#include <string>
#include <vector>

namespace chatkit::handlers {

// GET / (the demo page) and GET /widget/<file>. Every file of the widget
// folder is read into memory at start-up; a request can only ever name one of
// those files, so no path outside the folder can be served, whatever the URL
// says. `api_origins` go into the demo page's CSP connect-src.
void mount_static(http::router& r, const std::string& widget_dir);

} // namespace chatkit::handlers
