#include "chatkit/chat/answer_stream.hpp"

#include <boost/asio/post.hpp>

namespace chatkit::chat {

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
    starts_.push_back(static_cast<std::uint32_t>(bytes_.size()));
    bytes_.append(fields);
    finished_ = final;
    if (final)
        bytes_.shrink_to_fit();
    wake_locked();
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
    auto begin = starts_[index];
    std::string frames;
    frames.reserve(count * (message_id_.size() + 16) + (bytes_.size() - begin));
    for (auto i = index; i < starts_.size(); ++i) {
        auto end = i + 1 < starts_.size() ? starts_[i + 1] : bytes_.size();
        frames.append("id: ").append(message_id_).append(":").append(std::to_string(i)).append("\n");
        frames.append(bytes_, starts_[i], end - starts_[i]);
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
