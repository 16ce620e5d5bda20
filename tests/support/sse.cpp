#include "sse.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace chatkit::test {

std::optional<sse_event> sse_reader::next(std::chrono::milliseconds timeout)
{
    for (;;) {
        auto end = pending_.find("\n\n");
        if (end != std::string::npos) {
            auto frame = pending_.substr(0, end);
            pending_.erase(0, end + 2);
            sse_event e;
            std::size_t pos = 0;
            while (pos <= frame.size()) {
                auto nl = frame.find('\n', pos);
                auto line = frame.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
                if (line.starts_with("id: "))
                    e.id = line.substr(4);
                else if (line.starts_with("event: "))
                    e.event = line.substr(7);
                else if (line.starts_with("data: "))
                    e.data = boost::json::parse(line.substr(6));
                else if (line.starts_with(": "))
                    e.comment = line.substr(2);
                if (nl == std::string::npos)
                    break;
                pos = nl + 1;
            }
            return e;
        }
        if (ended_)
            return std::nullopt;
        auto chunk = c_.read_chunk(timeout);
        if (!chunk)
            return std::nullopt;
        if (chunk->empty())
            ended_ = true;
        pending_ += *chunk;
    }
}

open_stream start_stream(std::uint16_t port, const std::string& method, const std::string& path,
                         const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers)
{
    open_stream s{std::make_unique<connection>(port), {}};
    std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    for (const auto& [k, v] : headers)
        raw += k + ": " + v + "\r\n";
    if (!body.empty())
        raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n" + body;
    s.conn->send(raw);
    auto head = s.conn->read_head();
    if (head)
        s.head = *head;
    return s;
}

collected read_all(sse_reader& r, std::size_t max)
{
    collected out;
    while (out.events.size() < max) {
        auto e = r.next();
        if (!e)
            break;
        if (e->event.empty())
            continue;
        if (e->event == "token")
            out.text += e->data.at("content").as_string();
        out.events.push_back(std::move(*e));
        if (out.events.back().event == "done" || out.events.back().event == "error")
            break;
    }
    out.ended =
        r.ended() || (!out.events.empty() && (out.events.back().event == "done" || out.events.back().event == "error"));
    return out;
}

std::optional<sse_event> final_event(sse_reader& reader, std::chrono::milliseconds timeout, int* tokens)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto e = reader.next(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
        if (!e)
            return std::nullopt;
        if (tokens && e->event == "token")
            ++*tokens;
        if (e->event == "done" || e->event == "error")
            return e;
    }
    return std::nullopt;
}

std::string ask(const std::string& message, boost::json::object context)
{
    boost::json::object body{{"message", message}};
    if (!context.empty())
        body["context"] = std::move(context);
    return boost::json::serialize(body);
}

partial_answer read_then_drop(std::uint16_t port, const std::string& question, int events)
{
    partial_answer out;
    auto s = start_stream(port, "POST", "/api/v1/chat/stream", ask(question), {});
    sse_reader reader(*s.conn);
    for (int i = 0; i < events; ++i) {
        auto e = reader.next();
        if (!e)
            throw std::runtime_error("the stream ended after " + std::to_string(i) + " events");
        if (e->event == "token")
            out.text += e->data.at("content").as_string();
        out.last_id = e->id;
    }
    return out;
}

} // namespace chatkit::test
