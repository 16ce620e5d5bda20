#include "connection_deadline.hpp"

namespace chatkit::server {

connection_deadline::connection_deadline(boost::asio::ip::tcp::socket& socket) : state_(std::make_shared<state>(socket))
{
}

connection_deadline::~connection_deadline()
{
    stop();
}

void connection_deadline::expires_after(clock::duration d)
{
    state_->deadline = clock::now() + d;
    if (state_->deadline < state_->armed)
        arm(state_);
}

void connection_deadline::expires_never()
{
    state_->deadline = clock::time_point::max();
}

void connection_deadline::stop()
{
    state_->socket = nullptr;
    state_->timer.cancel();
}

// Re-arming cancels the wait for the later time point; its handler sees
// operation_aborted and does nothing.
void connection_deadline::arm(const std::shared_ptr<state>& s)
{
    s->armed = s->deadline;
    s->timer.expires_at(s->armed);
    s->timer.async_wait([s](const boost::system::error_code& ec) {
        if (!ec)
            fired(s);
    });
}

void connection_deadline::fired(const std::shared_ptr<state>& s)
{
    s->armed = clock::time_point::max();
    if (!s->socket)
        return;
    if (s->deadline <= clock::now()) {
        boost::system::error_code ignored;
        s->socket->cancel(ignored);
        s->deadline = clock::time_point::max();
    } else if (s->deadline != clock::time_point::max()) {
        arm(s); // the deadline moved later while the timer waited
    }
}

} // namespace chatkit::server
