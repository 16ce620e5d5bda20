#pragma once

#include "chatkit/http/router.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace chatkit::handlers {

// GET / (the demo page) and GET /widget/<file>. Every file of the widget
// folder is read into memory at start-up; a request can only ever name one of
// those files, so no path outside the folder can be served, whatever the URL
// says. `api_origins` go into the demo page's CSP connect-src.
void mount_static(http::router& r, const std::string& widget_dir);

// The demo page and the /docs pages run only our own scripts; styles may be
// inline because those pages are samples of how a site embeds the widget.
inline constexpr std::string_view demo_page_csp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

} // namespace chatkit::handlers
