// How the chain runs its layers: in order on the way in, in reverse on the
// way out, a layer that answers cuts the way in short, and the error
// boundary recovers only what happens inside it.
#include "chatkit/http/json_reply.hpp"
#include "chatkit/middleware/cors.hpp"
#include "chatkit/middleware/error_guard.hpp"
#include "chatkit/middleware/https_guard.hpp"
#include "chatkit/middleware/limits.hpp"
#include "chatkit/middleware/request_id.hpp"
#include "chatkit/middleware/security_headers.hpp"

#include "support/run_sync.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <stdexcept>

namespace http = chatkit::http;
namespace mw = chatkit::middleware;
using chatkit::test::run_sync;

namespace {

using journal = std::vector<std::string>;

// Stands in at one of the optional positions of the canonical order and
// writes down what the chain asked of it.
class probe final : public http::middleware {
public:
    struct behaviour {
        bool waits = false;
        bool answers = false;
        bool throws_after = false;
    };

    probe(std::string_view slot, journal& j, behaviour b) : slot_(slot), journal_(j), b_(b) {}
    [[nodiscard]] std::string_view name() const override { return slot_; }
    [[nodiscard]] bool waits(const http::request&, const http::request_context&) const override { return b_.waits; }

    std::optional<http::reply> before(http::request&, http::request_context&) const override
    {
        journal_.push_back(std::string(slot_) + ".before");
        return answer();
    }

    boost::asio::awaitable<std::optional<http::reply>> before_waiting(http::request&,
                                                                      http::request_context&) const override
    {
        // Really suspends, so the chain has to resume the request afterwards.
        co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
        journal_.push_back(std::string(slot_) + ".waited");
        co_return answer();
    }

    void after(const http::request&, const http::request_context&, http::reply& r) const override
    {
        journal_.push_back(std::string(slot_) + ".after " + std::to_string(r.status));
        if (b_.throws_after)
            throw std::runtime_error("after failed");
    }

private:
    [[nodiscard]] std::optional<http::reply> answer() const
    {
        if (!b_.answers)
            return std::nullopt;
        return http::json_reply(429, boost::json::object{});
    }

    std::string_view slot_;
    journal& journal_;
    behaviour b_;
};

struct setup {
    journal calls;
    std::unique_ptr<http::chain> chain;

    // `outer` sits outside the boundary (the metrics slot), `first` and
    // `second` inside it (the auth and rate_limit slots).
    setup(probe::behaviour outer, probe::behaviour first, probe::behaviour second, bool handler_throws = false)
    {
        std::vector<std::unique_ptr<http::middleware>> layers;
        layers.push_back(std::make_unique<mw::request_id>());
        layers.push_back(std::make_unique<probe>("metrics", calls, outer));
        layers.push_back(std::make_unique<mw::security_headers>());
        layers.push_back(std::make_unique<mw::cors>(std::vector<std::string>{}));
        layers.push_back(std::make_unique<mw::error_guard>());
        layers.push_back(std::make_unique<mw::https_guard>(false));
        layers.push_back(std::make_unique<mw::limits>());
        layers.push_back(std::make_unique<probe>("auth", calls, first));
        layers.push_back(std::make_unique<probe>("rate_limit", calls, second));
        chain = std::make_unique<http::chain>(
            std::move(layers),
            [this, handler_throws](http::request&, http::request_context&) -> boost::asio::awaitable<http::reply> {
                calls.emplace_back("handler");
                if (handler_throws)
                    throw std::runtime_error("handler failed");
                co_return http::json_reply(200, boost::json::object{});
            });
    }

    http::reply run()
    {
        http::request req;
        req.method = "GET";
        req.path = req.target = "/x";
        http::request_context ctx;
        return run_sync((*chain)(req, ctx));
    }
};

} // namespace

TEST(chain, runs_layers_in_order_and_unwinds_in_reverse)
{
    setup s({}, {}, {.waits = true});
    auto reply = s.run();
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(s.calls, (journal{"metrics.before", "auth.before", "rate_limit.waited", "handler", "rate_limit.after 200",
                                "auth.after 200", "metrics.after 200"}));
    EXPECT_TRUE(reply.headers.get("X-Request-ID"));
}

TEST(chain, a_layer_that_answers_skips_what_is_inside_it_and_its_own_after)
{
    setup s({}, {}, {.waits = true, .answers = true});
    auto reply = s.run();
    EXPECT_EQ(reply.status, 429u);
    EXPECT_EQ(s.calls,
              (journal{"metrics.before", "auth.before", "rate_limit.waited", "auth.after 429", "metrics.after 429"}));
    EXPECT_EQ(reply.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
}

TEST(chain, a_failure_inside_the_boundary_becomes_a_500_that_outer_layers_still_see)
{
    setup s({}, {}, {.throws_after = true});
    auto reply = s.run();
    EXPECT_EQ(reply.status, 500u);
    // auth sits between the boundary and the failing layer: it is unwound past.
    EXPECT_EQ(s.calls, (journal{"metrics.before", "auth.before", "rate_limit.before", "handler", "rate_limit.after 200",
                                "metrics.after 500"}));
    EXPECT_EQ(reply.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
    EXPECT_TRUE(reply.headers.get("X-Request-ID"));
}

TEST(chain, a_failing_handler_is_recovered_once)
{
    setup s({}, {.waits = true}, {}, true);
    auto reply = s.run();
    EXPECT_EQ(reply.status, 500u);
    EXPECT_EQ(s.calls, (journal{"metrics.before", "auth.waited", "rate_limit.before", "handler", "metrics.after 500"}));
}

TEST(chain, a_failure_outside_the_boundary_is_not_hidden)
{
    setup s({.throws_after = true}, {}, {});
    EXPECT_THROW(s.run(), std::runtime_error);
}
