#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatkit::test {

struct response {
    unsigned status = 0;
    std::map<std::string, std::string> headers; // lower-case names; repeated fields joined with ", "
    std::string body;
    bool keep_alive = true;

    [[nodiscard]] std::string header(const std::string& lower_name) const;
    [[nodiscard]] bool has(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

// A blocking loopback connection on a plain POSIX socket, so a test can send
// any bytes at any pace (smuggling shapes, slow clients) and read exactly what
// the server wrote.
class connection {
public:
    explicit connection(std::uint16_t port);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Returns false when the peer has closed or reset the connection.
    bool send(std::string_view bytes);
    // One full response (Content-Length or chunked), or nullopt on timeout/close.
    std::optional<response> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // A response head only; the body is then read with read_chunk().
    std::optional<response> read_head(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The next chunk of a chunked body; an empty string is the last chunk;
    // nullopt on timeout or close.
    std::optional<std::string> read_chunk(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // True when the server closes the connection within the timeout (EOF or reset).
    bool closed_by_peer(std::chrono::milliseconds timeout);

private:
    bool fill(std::chrono::steady_clock::time_point deadline);
    std::optional<std::string> take_line(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

// One request on a fresh connection.
response request(std::uint16_t port, std::string_view method, std::string_view target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}, std::string_view body = {});

} // namespace chatkit::test
