#include "chatkit/middleware/rate_limit.hpp"

#include "chatkit/http/json_reply.hpp"
#include "chatkit/util/address_set.hpp"

namespace chatkit::middleware {

std::vector<services::limit_check> rate_limit::checks_for(http::rate_action action,
                                                          const http::request_context& ctx) const
{
    const auto* caller = ctx.caller ? &*ctx.caller : nullptr;
    std::string ip = "ip:" + util::limit_key(ctx.client_ip, ipv6_prefix_);
    std::string who = caller ? (caller->anonymous() ? "anon:" + caller->session_id : "user:" + caller->user_id) : ip;
    switch (action) {
    case http::rate_action::chat: {
        auto tier = caller ? caller->tier : http::access_tier::anonymous;
        if (tier == http::access_tier::anonymous) {
            std::vector<services::limit_check> checks{{"chat:" + ip, &rates_.anonymous_ip, "anonymous tier, per IP"}};
            if (caller)
                checks.push_back({"chat:" + who, &rates_.anonymous, "anonymous tier"});
            return checks;
        }
        const auto* spec = tier == http::access_tier::premium ? &rates_.premium
                           : tier == http::access_tier::full  ? &rates_.full
                                                              : &rates_.lightweight;
        return {{"chat:" + who, spec, std::string(http::tier_name(tier)) + " tier"}};
    }
    case http::rate_action::save_chat:
        return {{"save_chat:" + who, &rates_.save_chat, "saved chats"}};
    case http::rate_action::personalize:
        return {{"personalize:" + who, &rates_.personalize, "personalization"}};
    case http::rate_action::verification_mail:
        return {{"verification_mail:" + ip, &rates_.verify_email_ip, "verification mail per IP"}};
    case http::rate_action::anonymous_session:
        return {{"anonymous_session:" + ip, &rates_.anonymous_sessions_ip, "anonymous sessions per IP"}};
    case http::rate_action::none:
        break;
    }
    return {};
}

bool rate_limit::waits(const http::request& req, const http::request_context& ctx) const
{
    if (!ctx.route_opts || ctx.route_opts->rate == http::rate_action::none)
        return false;
    // The handler serves such a request only as a resume (404 otherwise), so
    // skipping the count here opens no way around the limit.
    return !(ctx.route_opts->resumes_with_last_event_id && req.headers.get("Last-Event-ID"));
}

boost::asio::awaitable<std::optional<http::reply>> rate_limit::before_waiting(http::request&,
                                                                              http::request_context& ctx) const
{
    // Called only when waits() saw a counted route.
    auto exceeded = co_await limiter_.hit(checks_for(ctx.route_opts->rate, ctx));
    if (!exceeded)
        co_return std::nullopt;
    hits_.fetch_add(1, std::memory_order_relaxed);
    co_return http::too_many_requests(ctx, exceeded->retry_after, exceeded->limit);
}

} // namespace chatkit::middleware
