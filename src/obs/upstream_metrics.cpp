#include "chatkit/obs/upstream_metrics.hpp"

#include <fmt/format.h>

namespace chatkit::obs {

namespace {

constexpr std::array<const char*, 4> outcome_names{"ok", "error", "timeout", "cancelled"};
constexpr std::array<const char*, 5> class_names{"none", "2xx", "3xx", "4xx", "5xx"};

// A model's first token takes from a fraction of a second to the 20 s
// LLM_FIRST_TOKEN_TIMEOUT; a whole answer up to a few minutes.
std::vector<double> first_token_bounds()
{
    return {0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30};
}
std::vector<double> duration_bounds()
{
    return {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300};
}

std::size_t status_class(unsigned status)
{
    return status >= 200 && status < 600 ? status / 100 - 1 : 0;
}

double seconds(std::chrono::steady_clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

} // namespace

upstream_metrics::upstream_metrics() : first_token_(first_token_bounds()), duration_(duration_bounds()) {}

void upstream_metrics::finished(outcome how, unsigned status, std::chrono::steady_clock::duration took)
{
    requests_[static_cast<std::size_t>(how)][status_class(status)].fetch_add(1, std::memory_order_relaxed);
    duration_.observe(seconds(took));
}

void upstream_metrics::first_token(std::chrono::steady_clock::duration after)
{
    first_token_.observe(seconds(after));
}

void upstream_metrics::append(std::string& out) const
{
    // Every combination is written, zeros included, so rate() and ratios
    // work from the first scrape on.
    out += "# HELP chatkit_upstream_requests_total Requests to the upstream model by outcome and the class of its "
           "HTTP status (none: no response head).\n"
           "# TYPE chatkit_upstream_requests_total counter\n";
    for (std::size_t o = 0; o < outcomes; ++o)
        for (std::size_t c = 0; c < classes; ++c)
            out += fmt::format("chatkit_upstream_requests_total{{outcome=\"{}\",status_class=\"{}\"}} {}\n",
                               outcome_names[o], class_names[c], requests_[o][c].load(std::memory_order_relaxed));
    out += "# HELP chatkit_upstream_time_to_first_token_seconds Time from the start of a request to the model's "
           "first token.\n"
           "# TYPE chatkit_upstream_time_to_first_token_seconds histogram\n";
    first_token_.append(out, "chatkit_upstream_time_to_first_token_seconds");
    out += "# HELP chatkit_upstream_request_duration_seconds Time from the start of a request to the model until "
           "it ended, however it ended.\n"
           "# TYPE chatkit_upstream_request_duration_seconds histogram\n";
    duration_.append(out, "chatkit_upstream_request_duration_seconds");
    out += fmt::format("# HELP chatkit_upstream_received_bytes_total Response body bytes received from the model.\n"
                       "# TYPE chatkit_upstream_received_bytes_total counter\n"
                       "chatkit_upstream_received_bytes_total {}\n"
                       "# HELP chatkit_upstream_tokens_total Tokens streamed by the model (content deltas of its "
                       "chunks).\n"
                       "# TYPE chatkit_upstream_tokens_total counter\n"
                       "chatkit_upstream_tokens_total {}\n",
                       bytes_.load(std::memory_order_relaxed), tokens_.load(std::memory_order_relaxed));
}

upstream_call::~upstream_call()
{
    if (!finished_)
        finish(upstream_metrics::outcome::cancelled);
}

void upstream_call::received(std::size_t bytes)
{
    if (metrics_)
        metrics_->received(bytes);
}

void upstream_call::token()
{
    if (!metrics_)
        return;
    if (first_)
        metrics_->first_token(std::chrono::steady_clock::now() - started_);
    first_ = false;
    metrics_->token();
}

void upstream_call::finish(upstream_metrics::outcome how)
{
    if (finished_)
        return;
    finished_ = true;
    if (metrics_)
        metrics_->finished(how, status_, std::chrono::steady_clock::now() - started_);
}

} // namespace chatkit::obs
