#include "api.hpp"

#include <boost/json/parse.hpp>

namespace chatkit::test {

std::string api_response::error_code() const
{
    if (!json.is_object() || !json.as_object().contains("error"))
        return {};
    return std::string(json.at("error").at("code").as_string());
}

std::string api_response::str(std::string_view key) const
{
    if (!json.is_object())
        return {};
    auto* v = json.as_object().if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

api_response call(std::uint16_t port, std::string_view method, std::string_view path, const std::string& body,
                  const std::string& token, std::vector<std::pair<std::string, std::string>> headers)
{
    if (!body.empty())
        headers.emplace_back("Content-Type", "application/json");
    if (!token.empty())
        headers.emplace_back("Authorization", "Bearer " + token);
    api_response out{request(port, method, path, headers, body), nullptr};
    boost::system::error_code ec;
    auto parsed = boost::json::parse(out.raw.body, ec);
    if (!ec)
        out.json = std::move(parsed);
    return out;
}

} // namespace chatkit::test
