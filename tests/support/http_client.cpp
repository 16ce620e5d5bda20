#include "http_client.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace chatkit::test {

namespace bhttp = boost::beast::http;

std::string response::header(const std::string& lower_name) const
{
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

connection::connection(std::uint16_t port)
{
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

connection::~connection()
{
    ::close(fd_);
}

bool connection::send(std::string_view bytes)
{
    while (!bytes.empty()) {
        auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool connection::fill(std::chrono::steady_clock::time_point deadline)
{
    if (eof_)
        return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
    char chunk[16384];
    auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
        eof_ = true;
        return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::optional<response> connection::read_response(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    for (;;) {
        boost::system::error_code ec;
        while (!buffer_.empty() && !parser.is_done()) {
            auto used = parser.put(boost::asio::buffer(buffer_), ec);
            if (ec == bhttp::error::need_more) {
                ec = {};
                break;
            }
            if (ec)
                return std::nullopt;
            buffer_.erase(0, used);
            if (used == 0)
                break;
        }
        if (parser.is_done())
            break;
        if (!fill(deadline)) {
            if (eof_ && parser.is_header_done() && !parser.chunked() && !parser.content_length()) {
                parser.put_eof(ec);
                if (!ec)
                    break;
            }
            return std::nullopt;
        }
    }
    response r;
    const auto& msg = parser.get();
    r.status = msg.result_int();
    r.keep_alive = msg.keep_alive();
    for (const auto& f : msg) {
        std::string name(f.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& slot = r.headers[name];
        slot = slot.empty() ? std::string(f.value()) : slot + ", " + std::string(f.value());
    }
    r.body = msg.body();
    return r;
}

std::optional<std::string> connection::take_line(std::chrono::steady_clock::time_point deadline)
{
    for (;;) {
        auto end = buffer_.find("\r\n");
        if (end != std::string::npos) {
            auto line = buffer_.substr(0, end);
            buffer_.erase(0, end + 2);
            return line;
        }
        if (!fill(deadline))
            return std::nullopt;
    }
}

std::optional<response> connection::read_head(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.find("\r\n\r\n") == std::string::npos)
        if (!fill(deadline))
            return std::nullopt;
    auto status_line = take_line(deadline);
    response r;
    r.status = static_cast<unsigned>(std::stoi(status_line->substr(9, 3)));
    for (;;) {
        auto line = take_line(deadline);
        if (!line || line->empty())
            break;
        auto colon = line->find(':');
        std::string name = line->substr(0, colon);
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line->substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        auto& slot = r.headers[name];
        slot = slot.empty() ? value : slot + ", " + value;
    }
    return r;
}

std::optional<std::string> connection::read_chunk(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto size_line = take_line(deadline);
    if (!size_line)
        return std::nullopt;
    auto size = std::stoul(*size_line, nullptr, 16);
    while (buffer_.size() < size + 2)
        if (!fill(deadline))
            return std::nullopt;
    auto data = buffer_.substr(0, size);
    buffer_.erase(0, size + 2);
    return data;
}

bool connection::closed_by_peer(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        fill(deadline);
    }
    return true;
}

response request(std::uint16_t port, std::string_view method, std::string_view target,
                 const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body)
{
    connection c(port);
    std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers)
        raw += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST")
        raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "Connection: close\r\n\r\n";
    raw += body;
    c.send(raw);
    auto r = c.read_response();
    if (!r)
        throw std::runtime_error("no response to " + std::string(method) + " " + std::string(target));
    return *r;
}

} // namespace chatkit::test
