#pragma once

#include "chatkit/http/request.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace chatkit::server {

// Beast's parsed message as our request: method, target split into path and
// query, version, every header field in order (the session reads the body
// apart, against the route's limit).
[[nodiscard]] http::request to_request(const boost::beast::http::request<boost::beast::http::string_body>& msg);

} // namespace chatkit::server
