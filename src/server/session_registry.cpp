#include "session_registry.hpp"

#include <boost/asio/post.hpp>

namespace chatkit::server {

void session_registry::add(const std::shared_ptr<session_handle>& h)
{
    std::lock_guard lock(mutex_);
    sessions_.emplace(h.get(), h);
}

std::size_t session_registry::remove(const session_handle* h)
{
    std::lock_guard lock(mutex_);
    sessions_.erase(h);
    return sessions_.size();
}

std::size_t session_registry::size() const
{
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void session_registry::for_each(const std::function<void(session_handle&)>& f) const
{
    std::lock_guard lock(mutex_);
    for (const auto& [raw, weak] : sessions_) {
        auto h = weak.lock();
        if (!h)
            continue;
        boost::asio::post(h->executor, [weak = std::weak_ptr(h), f] {
            if (auto alive = weak.lock())
                f(*alive);
        });
    }
}

} // namespace chatkit::server
