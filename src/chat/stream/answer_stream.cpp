#include "chatkit/chat/stream/answer_stream.hpp"

#include "chatkit/http/sse.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace chatkit::chat {

std::string token_fields(std::string_view text)
{
    return http::sse_fields("token", boost::json::serialize(boost::json::object{{"content", text}}));
}

bool stream_owner::admits(const std::string& caller_user, const std::string& caller_session) const
{
    if (!user_id.empty())
        return caller_user == user_id;
    if (!session_id.empty())
        return caller_session == session_id;
    return true;
}

answer_stream::answer_stream(std::string message_id, stream_owner owner, boost::asio::any_io_executor producer)
    : message_id_(std::move(message_id)), owner_(std::move(owner)), producer_(std::move(producer))
{
}

void answer_stream::append(std::string_view fields, bool final)
{
    std::lock_guard lock(mutex_);
    if (finished_)
        return;
    push_locked(fields, false);
    finished_ = final;
    if (final) {
        bytes_.shrink_to_fit();
        starts_.shrink_to_fit();
    }
    wake_locked();
}

void answer_stream::append_token(std::string_view text)
{
    std::lock_guard lock(mutex_);
    if (finished_)
        return;
    push_locked(text, true);
    wake_locked();
}

void answer_stream::push_locked(std::string_view bytes, bool token)
{
    auto at = static_cast<std::uint32_t>(bytes_.size());
    if (at & token_bit)
        throw std::length_error("answer stream larger than 2 GiB");
    starts_.push_back(token ? at | token_bit : at);
    bytes_.append(bytes);
}

std::string_view answer_stream::entry_locked(std::size_t i) const
{
    auto begin = starts_[i] & ~token_bit;
    auto end = i + 1 < starts_.size() ? starts_[i + 1] & ~token_bit : bytes_.size();
    return std::string_view(bytes_).substr(begin, end - begin);
}

std::string answer_stream::text()
{
    std::lock_guard lock(mutex_);
    std::string out;
    for (std::size_t i = 0; i < starts_.size(); ++i)
        if (starts_[i] & token_bit)
            out += entry_locked(i);
    return out;
}

void answer_stream::wake_locked()
{
    for (auto& weak : waiters_)
        if (auto timer = weak.lock())
            boost::asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    waiters_.clear();
}

stream_owner answer_stream::owner()
{
    std::lock_guard lock(mutex_);
    return owner_;
}

void answer_stream::transfer_session(const std::string& from, const std::string& to)
{
    std::lock_guard lock(mutex_);
    if (owner_.session_id == from)
        owner_.session_id = to;
}

void answer_stream::cancel(bool session_ended)
{
    if (session_ended)
        session_ended_ = true;
    boost::asio::post(producer_,
                      [self = shared_from_this()] { self->cancel_.emit(boost::asio::cancellation_type::terminal); });
}

std::optional<std::string> answer_stream::frames_from(std::size_t index, bool& finished, std::size_t& count)
{
    std::lock_guard lock(mutex_);
    finished = finished_;
    if (index >= starts_.size())
        return std::nullopt;
    count = starts_.size() - index;
    auto begin = starts_[index] & ~token_bit;
    std::string frames;
    frames.reserve(count * (message_id_.size() + 48) + (bytes_.size() - begin));
    for (auto i = index; i < starts_.size(); ++i) {
        frames.append("id: ").append(message_id_).append(":").append(std::to_string(i)).append("\n");
        if (starts_[i] & token_bit)
            frames.append(token_fields(entry_locked(i)));
        else
            frames.append(entry_locked(i));
    }
    return frames;
}

void answer_stream::notify_after(std::size_t index, const std::shared_ptr<boost::asio::steady_timer>& timer)
{
    std::lock_guard lock(mutex_);
    if (starts_.size() > index || finished_) {
        boost::asio::post(timer->get_executor(), [timer] { timer->cancel(); });
        return;
    }
    waiters_.push_back(timer);
}

void answer_stream::listener_attached()
{
    std::lock_guard lock(mutex_);
    ++listeners_;
}

void answer_stream::listener_detached()
{
    std::lock_guard lock(mutex_);
    --listeners_;
    last_listener_ = std::chrono::steady_clock::now();
}

bool answer_stream::abandoned(std::chrono::steady_clock::duration idle)
{
    std::lock_guard lock(mutex_);
    return listeners_ == 0 && std::chrono::steady_clock::now() - last_listener_ >= idle;
}

bool answer_stream::finished()
{
    std::lock_guard lock(mutex_);
    return finished_;
}

void stream_registry::add(const std::shared_ptr<answer_stream>& s)
{
    std::lock_guard lock(mutex_);
    streams_[s->message_id()] = {s, std::chrono::steady_clock::now()};
}

std::shared_ptr<answer_stream> stream_registry::find(const std::string& message_id)
{
    std::lock_guard lock(mutex_);
    auto it = streams_.find(message_id);
    return it == streams_.end() ? nullptr : it->second.first;
}

void stream_registry::prune(std::chrono::steady_clock::duration keep)
{
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_sweep_ < std::chrono::seconds(1))
        return;
    last_sweep_ = now;
    std::erase_if(streams_,
                  [&](auto& entry) { return now - entry.second.second > keep && entry.second.first->finished(); });
}

std::size_t stream_registry::size()
{
    std::lock_guard lock(mutex_);
    return streams_.size();
}

void stream_registry::remove(const std::string& message_id)
{
    std::lock_guard lock(mutex_);
    streams_.erase(message_id);
}

std::vector<std::shared_ptr<answer_stream>> stream_registry::snapshot()
{
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<answer_stream>> out;
    out.reserve(streams_.size());
    for (auto& [id, entry] : streams_)
        out.push_back(entry.first);
    return out;
}

} // namespace chatkit::chat
