#include "request_parse.hpp"

namespace chatkit::server {

http::request to_request(const boost::beast::http::request<boost::beast::http::string_body>& msg)
{
    http::request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos)
        req.query = req.target.substr(q + 1);
    req.version = msg.version();
    for (const auto& field : msg)
        req.headers.add(std::string(field.name_string()), std::string(field.value()));
    return req;
}

} // namespace chatkit::server
