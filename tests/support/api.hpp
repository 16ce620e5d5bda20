#pragma once

#include "http_client.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace chatkit::test {

struct api_response {
    response raw;
    boost::json::value json; // null when the body is not JSON

    [[nodiscard]] unsigned status() const { return raw.status; }
    [[nodiscard]] std::string error_code() const;
    [[nodiscard]] std::string str(std::string_view key) const;
};

// A JSON API call on a fresh connection. `token` adds a Bearer header.
api_response call(std::uint16_t port, std::string_view method, std::string_view path, const std::string& body = {},
                  const std::string& token = {}, std::vector<std::pair<std::string, std::string>> headers = {});

} // namespace chatkit::test
