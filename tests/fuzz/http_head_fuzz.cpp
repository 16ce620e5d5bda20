// The request head and body framing as the session reads them: Beast's
// parser with the session's limits, fed in two pieces (a head that arrived
// split), then our request checks, HTTPS and client-address decisions.
// Invariant: a head our checks accept frames its body the one way Beast
// reads it; anything else lets a body be read as a second request.
#include "server/request_checks.hpp"
#include "server/request_parse.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const auto trusted = *chatkit::util::address_set::parse({"127.0.0.1", "10.0.0.0/8"});
    static const auto proxy = boost::asio::ip::make_address("10.1.2.3");
    if (size == 0)
        return 0;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::size_t split = std::min<std::size_t>(data[0], bytes.size());

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(64 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    std::string buffer;
    for (auto piece : {bytes.substr(0, split), bytes.substr(split)}) {
        buffer.append(piece);
        while (!ec && !buffer.empty() && !parser.is_done()) {
            auto n = parser.put(boost::asio::buffer(buffer), ec);
            if (ec == bhttp::error::need_more) {
                ec = {};
                break;
            }
            buffer.erase(0, n);
            if (n == 0)
                break;
        }
    }
    if (ec || !parser.is_header_done())
        return 0;
    auto req = chatkit::server::to_request(parser.get());
    static_cast<void>(chatkit::server::check_head(req, parser.chunked()));
    // The header rules alone (as if the parser had framed chunked) must
    // never accept a coding list that Beast did not read as chunked: the
    // parser's verdict is the second line of defence, not the first.
    bool has_te = req.headers.count("Transfer-Encoding") > 0;
    if (has_te && !parser.chunked() && !chatkit::server::check_head(req, true))
        std::abort();
    static_cast<void>(chatkit::server::forwarded_https(req, proxy, trusted));
    static_cast<void>(chatkit::server::client_address(req, proxy, "10.1.2.3", trusted));
    return 0;
}
