#include "request_checks.hpp"

#include "chatkit/util/text.hpp"

#include <vector>

namespace chatkit::server {

namespace {

// The last element of a comma-separated header, across repeated fields.
std::string_view last_list_element(const http::header_list& headers, std::string_view name)
{
    std::string_view last;
    for (const auto& f : headers) {
        if (!http::iequals(f.name, name))
            continue;
        std::string_view v = f.value;
        auto comma = v.rfind(',');
        auto element = util::trim(comma == std::string_view::npos ? v : v.substr(comma + 1));
        // Parameters (";q=...") do not change the coding's name.
        last = util::trim(element.substr(0, element.find(';')));
    }
    return last;
}

http::rejection bad_request(std::string message)
{
    return {400, "BAD_REQUEST", std::move(message)};
}

// Every transfer coding named, in order, across repeated fields; empty list
// elements are skipped (RFC 9110 §5.6.1).
std::vector<std::string_view> transfer_codings(const http::header_list& headers)
{
    std::vector<std::string_view> codings;
    for (const auto& f : headers) {
        if (!http::iequals(f.name, "Transfer-Encoding"))
            continue;
        std::string_view v = f.value;
        while (!v.empty()) {
            auto comma = v.find(',');
            auto element = util::trim(v.substr(0, comma));
            if (!element.empty())
                codings.push_back(element);
            v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
        }
    }
    return codings;
}

// Beast frames a body as chunked only when "chunked" is named once and last;
// any other list reads as "no body", and the body would then be taken for
// the next request. So the list must be exactly "chunked", read as chunked
// by the parser too: a repeated or misplaced chunked is 400, a coding we do
// not decode 501 (RFC 9112 §6.1).
std::optional<http::rejection> check_transfer_codings(const http::request& req, bool parsed_chunked)
{
    auto codings = transfer_codings(req.headers);
    if (req.version < 11 || codings.empty() || !http::iequals(codings.back(), "chunked"))
        return bad_request("The final transfer coding must be chunked.");
    for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
        if (http::iequals(codings[i], "chunked"))
            return bad_request("The chunked transfer coding must be applied once.");
    }
    if (codings.size() > 1)
        return http::rejection{501, "NOT_IMPLEMENTED", "Only the chunked transfer coding is supported."};
    if (!parsed_chunked)
        return bad_request("The Transfer-Encoding header is not a valid list of codings.");
    return std::nullopt;
}

} // namespace

std::optional<http::rejection> check_head(const http::request& req, bool parsed_chunked)
{
    if (req.target.empty() || req.target.front() != '/')
        return bad_request("The request target must be an absolute path.");
    auto hosts = req.headers.count("Host");
    if ((req.version >= 11 && hosts != 1) || hosts > 1)
        return bad_request("An HTTP/1.1 request needs exactly one Host header.");
    bool has_te = req.headers.count("Transfer-Encoding") > 0;
    if (has_te && req.headers.count("Content-Length") > 0)
        return bad_request("Content-Length and Transfer-Encoding must not both be present.");
    if (has_te)
        return check_transfer_codings(req, parsed_chunked);
    return std::nullopt;
}

bool forwarded_https(const http::request& req, const boost::asio::ip::address& peer,
                     const util::address_set& trusted_proxies)
{
    if (trusted_proxies.empty() || !trusted_proxies.contains(peer))
        return false;
    return http::iequals(last_list_element(req.headers, "X-Forwarded-Proto"), "https");
}

std::string client_address(const http::request& req, const boost::asio::ip::address& peer, const std::string& peer_text,
                           const util::address_set& trusted_proxies)
{
    if (trusted_proxies.empty() || !trusted_proxies.contains(peer))
        return peer_text;
    std::vector<std::string_view> hops;
    for (const auto& f : req.headers) {
        if (!http::iequals(f.name, "X-Forwarded-For"))
            continue;
        std::string_view v = f.value;
        std::size_t start = 0;
        while (start <= v.size()) {
            auto comma = v.find(',', start);
            hops.push_back(
                util::trim(v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
            if (comma == std::string_view::npos)
                break;
            start = comma + 1;
        }
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(std::string(*it), ec);
        if (ec)
            break; // garbage: stop believing the chain here
        if (!trusted_proxies.contains(address))
            return address.to_string();
    }
    return peer_text;
}

} // namespace chatkit::server
