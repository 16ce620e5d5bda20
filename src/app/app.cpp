#include "chatkit/app.hpp"

#include "chatkit/chat/answer/answer_composer.hpp"
#include "chatkit/chat/answer/builtin_generator.hpp"
#include "chatkit/chat/answer/upstream_generator.hpp"
#include "chatkit/chat/corpus/corpus.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/embeddings_setup.hpp"
#include "chatkit/handlers/analytics.hpp"
#include "chatkit/handlers/auth.hpp"
#include "chatkit/handlers/chat.hpp"
#include "chatkit/handlers/docs_pages.hpp"
#include "chatkit/handlers/insights.hpp"
#include "chatkit/handlers/openapi.hpp"
#include "chatkit/handlers/ops.hpp"
#include "chatkit/handlers/shared_chats.hpp"
#include "chatkit/handlers/static_files.hpp"
#include "chatkit/handlers/user.hpp"
#include "chatkit/handlers/widget_settings.hpp"
#include "chatkit/middleware/access_log.hpp"
#include "chatkit/middleware/auth.hpp"
#include "chatkit/middleware/cors.hpp"
#include "chatkit/middleware/error_guard.hpp"
#include "chatkit/middleware/https_guard.hpp"
#include "chatkit/middleware/limits.hpp"
#include "chatkit/middleware/metrics.hpp"
#include "chatkit/middleware/rate_limit.hpp"
#include "chatkit/middleware/request_id.hpp"
#include "chatkit/middleware/security_headers.hpp"
#include "chatkit/obs/upstream_metrics.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/analytics.hpp"
#include "chatkit/services/chat.hpp"
#include "chatkit/services/chat_shares.hpp"
#include "chatkit/services/identity.hpp"
#include "chatkit/services/insights.hpp"
#include "chatkit/services/local_limiter.hpp"
#include "chatkit/services/mail_sender.hpp"
#include "chatkit/services/orphan_answers.hpp"
#include "chatkit/services/rate_limiter.hpp"
#include "chatkit/services/retention.hpp"
#include "chatkit/services/saved_chats.hpp"
#include "chatkit/services/section_vectors.hpp"
#include "chatkit/services/session_cache.hpp"
#include "chatkit/services/stream_journal.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/migrations.hpp"
#include "chatkit/store/session_notices.hpp"
#include "store/connection_url.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <thread>

namespace chatkit {

namespace {

std::optional<services::smtp_settings> smtp_settings_for(const config::config& cfg)
{
    if (cfg.smtp_url.empty())
        return std::nullopt;
    return services::smtp_settings{cfg.smtp_url, cfg.mail_from, cfg.production()};
}

chat::corpus_options corpus_options_for(const config::config& cfg)
{
    return {cfg.corpus_url_prefix, chat::parse_site_kind(cfg.corpus_site).value_or(chat::site_kind::plain)};
}

// A first question pays once for what later ones share (the word list, the
// stemmer, the patterns of the answer composer): paid here, before the port
// opens, instead of by the first reader (about 20 ms).
void warm_up(const chat::retriever& index)
{
    const std::string question = "How do I get started?";
    auto sources = chat::find_sources(index, question, {}, 5);
    static_cast<void>(chat::compose_answer({question, "browse", "", sources, false, {}}));
}

// Reads CORPUS_DIR and indexes it. A missing folder is fatal in production
// (answers would cite nothing) and an empty corpus in development.
std::shared_ptr<const chat::retriever> load_index(const config::config& cfg)
{
    try {
        auto source = chat::load_corpus(cfg.corpus_dir, corpus_options_for(cfg));
        spdlog::info("corpus: {} pages, {} sections from {}", source->pages().size(), source->sections().size(),
                     cfg.corpus_dir);
        auto index = std::make_shared<const chat::retriever>(std::move(source));
        warm_up(*index);
        return index;
    } catch (const std::exception& e) {
        if (cfg.production())
            throw;
        spdlog::warn("{}; answering from an empty corpus", e.what());
        return std::make_shared<const chat::retriever>(std::make_shared<const chat::corpus>());
    }
}

// LLM_BASE_URL picks the upstream model; without it the built-in one answers.
std::unique_ptr<chat::generator> make_generator(const config::config& cfg, obs::upstream_metrics& metrics)
{
    if (cfg.llm_base_url.empty())
        return std::make_unique<chat::builtin_generator>(cfg.builtin_token_delay);
    chat::upstream_settings s;
    s.base_url = cfg.llm_base_url;
    s.model = cfg.llm_model;
    s.api_key = cfg.llm_api_key;
    s.connect_timeout = cfg.llm_connect_timeout;
    s.first_token_timeout = cfg.llm_first_token_timeout;
    s.max_tokens = cfg.llm_max_tokens;
    s.prompt_tokens = cfg.llm_prompt_tokens;
    s.metrics = &metrics;
    return std::make_unique<chat::upstream_generator>(s);
}

// EMBEDDINGS_BASE_URL adds retrieval by meaning; without it, lexical only.
std::unique_ptr<services::section_vectors> make_section_vectors(const config::config& cfg, store::db_executor& db,
                                                                const std::string& instance_id)
{
    if (cfg.embeddings_base_url.empty())
        return nullptr;
    return std::make_unique<services::section_vectors>(db, embeddings_settings_for(cfg), instance_id);
}

services::chat_settings chat_settings_for(const config::config& cfg, const std::string& instance_id)
{
    services::chat_settings s;
    s.instance_id = instance_id;
    s.timing.ping = cfg.stream_ping_interval;
    s.timing.idle = cfg.stream_idle_timeout;
    s.abandon_after = std::chrono::duration_cast<std::chrono::seconds>(cfg.answer_abandon_timeout);
    s.max_answer_bytes = cfg.max_answer_bytes;
    return s;
}

} // namespace

struct app::impl {
    const config::config& cfg;
    obs::metrics_registry metrics;
    security::keyring keys;
    std::unique_ptr<store::db_executor> db;
    boost::asio::io_context background;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> background_guard;
    std::thread background_thread;
    services::rate_limiter limiter;
    services::local_limiter local_limits;
    services::mail_sender mail;
    services::analytics_service analytics;
    services::session_cache sessions;
    services::identity_service identity;
    obs::upstream_metrics upstream_metrics;
    std::unique_ptr<chat::generator> generator;
    std::string instance_id = security::new_uuid();
    std::atomic<bool> drain_started{false};
    services::stream_journal journal;
    services::retention retention;
    services::orphan_answers orphans;
    std::unique_ptr<services::section_vectors> meaning; // null: lexical only
    services::chat_service chat;
    services::saved_chats saved;
    services::chat_shares shares;
    services::insights insights;
    boost::asio::signal_set reload_signal;
    boost::asio::steady_timer reload_timer;
    std::string corpus_files; // corpus_fingerprint() at the last (re)load
    // Set by stop() on the background thread: a reload whose signal came
    // before the stop must not wait for the next one, or run() never returns.
    bool reload_stopped = false;
    http::router router;
    std::unique_ptr<http::chain> chain;
    http::router admin_router;
    std::unique_ptr<http::chain> admin_chain;
    std::unique_ptr<store::session_notices> notices; // before `sessions` goes: its thread feeds it

    impl(const config::config& c, const route_hook& test_routes)
        : cfg(c), keys(c.secret_key, c.secret_key_previous), db(open_db(c)), background(1),
          background_guard(background.get_executor()), limiter(*db),
          mail(*db, keys, smtp_settings_for(c), background.get_executor()), analytics(*db, background.get_executor()),
          identity(*db, keys, {c.verify_token_ttl, c.session_idle_timeout, c.session_lifetime, c.public_verify_url},
                   services::session_hooks{
                       [this] { mail.notify(); },
                       [this](const std::string& from, const std::string& to) { chat.session_rotated(from, to); },
                       [this](const std::string& id) { chat.session_ended(id); },
                       [this] {
                           return journal.settled();
                       }},
                   db->dialect() == store::dialect::postgresql ? &sessions : nullptr),
          generator(make_generator(c, upstream_metrics)), journal(*db, background.get_executor(),
                                                                  [this](const std::string& id, bool session_ended) {
                                                                      if (auto s = chat.registry().find(id))
                                                                          s->cancel(session_ended);
                                                                  }),
          retention(*db, background.get_executor(),
                    {c.retention.anonymous_chats, c.retention.finished_streams, c.retention.ended_sessions,
                     c.retention.sent_mail, c.retention.analytics, c.share_link_lifetime, c.retention.interval}),
          orphans(*db, background.get_executor(), instance_id, c.instance_lease),
          meaning(make_section_vectors(c, *db, instance_id)),
          chat(*db, journal, load_index(c), *generator, chat_settings_for(c, instance_id), meaning.get()), saved(*db),
          shares(*db, keys, journal,
                 {.link_lifetime = c.share_link_lifetime, .anonymous_retention = c.retention.anonymous_chats}),
          insights(*db), reload_signal(background, SIGHUP), reload_timer(background)
    {
        auto applied = store::migrate(*db);
        if (!applied.empty())
            spdlog::info("database migrated: {} migration(s) applied", applied.size());
        // Session checks are cached only where every change reaches every
        // process: PostgreSQL's notices. SQLite checks are local reads.
        if (db->dialect() == store::dialect::postgresql)
            notices = std::make_unique<store::session_notices>(
                store::parse_connection_url(cfg.database_url, store::db_options{}.connect_timeout)
                    .postgresql_connect_string,
                [this](bool up) { sessions.listening(up); },
                [this](std::string_view payload) { sessions.notice(payload); });

        if (meaning) {
            meaning->index(chat.corpus(), background.get_executor());
            metrics.collector([this](std::string& out) { meaning->append_metrics(out); });
        }
        handlers::mount_probes(router, db.get(), &drain_started);
        // In production metrics are for the admin listener only: the public
        // port faces the internet.
        if (!cfg.production())
            handlers::mount_metrics(router, metrics);
        handlers::mount_probes(admin_router, db.get(), &drain_started);
        handlers::mount_metrics(admin_router, metrics);
        handlers::mount_insights(admin_router, insights, chat, cfg.admin_token);
        handlers::mount_auth(router, identity, limiter, cfg);
        handlers::mount_analytics(router, analytics, local_limits, cfg);
        handlers::mount_chat(router, chat, saved, local_limits, cfg);
        handlers::mount_shared_chats(router, shares, local_limits, cfg);
        handlers::mount_user(router, chat, saved, cfg.max_json_depth);
        handlers::mount_widget_settings(router, cfg);
        handlers::mount_static(router, cfg.widget_dir);
        handlers::mount_openapi(router);
        if (cfg.corpus_url_prefix == "/docs/")
            handlers::mount_docs(router, chat);
        if (cfg.test_routes) {
            if (!test_routes)
                throw std::runtime_error("TEST_ROUTES=true: this binary has no test routes (they are built only "
                                         "into chatkit-test-server); unset TEST_ROUTES");
            test_routes(router, cfg);
        }

        auto* database = db.get();
        metrics.gauge("chatkit_db_jobs_in_flight", "Database jobs queued or running.",
                      [database] { return static_cast<double>(database->busy()); });
        auto* answers = &chat.registry();
        metrics.gauge("chatkit_chat_answers_tracked", "Answers produced recently or now by this instance.",
                      [answers] { return static_cast<double>(answers->size()); });
        metrics.gauge("chatkit_db_connections", "Database connections held by the executor.",
                      [database] { return static_cast<double>(database->connections()); });
        if (const auto* upstream = dynamic_cast<const chat::upstream_generator*>(generator.get())) {
            metrics.gauge("chatkit_upstream_idle_connections", "Kept-alive connections to the model, idle now.",
                          [upstream] { return static_cast<double>(upstream->idle_connections()); });
            metrics.collector([this](std::string& out) { upstream_metrics.append(out); });
        }
        auto* cache = &sessions;
        metrics.gauge("chatkit_session_cache_entries", "Sessions this instance can check without the database.",
                      [cache] { return static_cast<double>(cache->size()); });
        auto* outbox = &mail;
        metrics.gauge("chatkit_mail_outbox_pending",
                      "Mail not yet sent nor given up on (counted at least once a minute).",
                      [outbox] { return static_cast<double>(outbox->pending()); });
        auto& rate_limit_hits = metrics.counter("chatkit_rate_limit_hits_total", "Requests refused with 429.");
        metrics.collector([this](std::string& out) {
            out += "# HELP chatkit_answer_ratings_total Readers' ratings of answers stored by this instance.\n"
                   "# TYPE chatkit_answer_ratings_total counter\n";
            for (bool up : {true, false})
                out += std::string("chatkit_answer_ratings_total{rating=\"") + (up ? "up" : "down") + "\"} " +
                       std::to_string(chat.ratings(up)) + "\n";
        });

        std::vector<std::unique_ptr<http::middleware>> layers;
        layers.push_back(std::make_unique<middleware::request_id>());
        layers.push_back(std::make_unique<middleware::access_log>());
        layers.push_back(std::make_unique<middleware::metrics>(metrics));
        layers.push_back(std::make_unique<middleware::security_headers>());
        layers.push_back(std::make_unique<middleware::cors>(cfg.cors_origins));
        layers.push_back(std::make_unique<middleware::error_guard>());
        layers.push_back(std::make_unique<middleware::https_guard>(cfg.production()));
        layers.push_back(std::make_unique<middleware::limits>());
        layers.push_back(std::make_unique<middleware::auth>(identity));
        layers.push_back(
            std::make_unique<middleware::rate_limit>(limiter, cfg.rates, cfg.ipv6_limit_prefix, rate_limit_hits));
        chain =
            std::make_unique<http::chain>(std::move(layers), [this](http::request& req, http::request_context& ctx) {
                return router.dispatch(req, ctx);
            });
        // Scrapers and probes on a private address: no browser origin is
        // allowed, plain HTTP is, no tokens, no access line every 15 seconds.
        std::vector<std::unique_ptr<http::middleware>> admin_layers;
        admin_layers.push_back(std::make_unique<middleware::request_id>());
        admin_layers.push_back(std::make_unique<middleware::security_headers>());
        admin_layers.push_back(std::make_unique<middleware::cors>(std::vector<std::string>{"none:"}));
        admin_layers.push_back(std::make_unique<middleware::error_guard>());
        admin_layers.push_back(std::make_unique<middleware::https_guard>(false));
        admin_layers.push_back(std::make_unique<middleware::limits>());
        admin_chain = std::make_unique<http::chain>(
            std::move(admin_layers),
            [this](http::request& req, http::request_context& ctx) { return admin_router.dispatch(req, ctx); });
    }

    // On the background thread (file reads stay off the I/O threads); open
    // connections and answers in flight are untouched.
    void reload_corpus()
    {
        try {
            auto source = chat::load_corpus(cfg.corpus_dir, corpus_options_for(cfg));
            auto count = source->sections().size();
            chat.replace_corpus(std::make_shared<const chat::retriever>(std::move(source)));
            spdlog::info("corpus reloaded: {} sections", count);
            if (meaning)
                meaning->index(chat.corpus(), background.get_executor());
        } catch (const std::exception& e) {
            spdlog::error("corpus reload failed, keeping the previous one: {}", e.what());
        }
    }

    void watch_reload()
    {
        reload_signal.async_wait([this](boost::system::error_code ec, int) {
            if (ec || reload_stopped)
                return;
            reload_corpus();
            watch_reload();
        });
    }

    // CORPUS_RELOAD_INTERVAL: the docs were synced into CORPUS_DIR; no
    // SIGHUP needed.
    void watch_files()
    {
        if (cfg.corpus_reload_interval.count() <= 0)
            return;
        reload_timer.expires_after(cfg.corpus_reload_interval);
        reload_timer.async_wait([this](boost::system::error_code ec) {
            if (ec || reload_stopped)
                return;
            if (auto now = chat::corpus_fingerprint(cfg.corpus_dir); now != corpus_files) {
                corpus_files = std::move(now);
                reload_corpus();
            }
            watch_files();
        });
    }

    static std::unique_ptr<store::db_executor> open_db(const config::config& c)
    {
        store::db_options options;
        options.url = c.database_url;
        options.pool = c.db_pool;
        options.statement_timeout = c.db_statement_timeout;
        return store::db_executor::open(options);
    }
};

app::app(const config::config& cfg, const route_hook& test_routes) : impl_(std::make_unique<impl>(cfg, test_routes)) {}

app::~app()
{
    stop();
}

const http::chain& app::chain() const
{
    return *impl_->chain;
}

const http::chain& app::admin_chain() const
{
    return *impl_->admin_chain;
}

const http::router& app::admin_router() const
{
    return impl_->admin_router;
}

const http::router& app::router() const
{
    return impl_->router;
}

obs::metrics_registry& app::metrics()
{
    return impl_->metrics;
}

void app::start()
{
    impl_->mail.start();
    impl_->analytics.start();
    impl_->journal.start();
    impl_->retention.start();
    impl_->orphans.start();
    impl_->watch_reload();
    impl_->corpus_files = chat::corpus_fingerprint(impl_->cfg.corpus_dir);
    impl_->watch_files();
    impl_->background_thread = std::thread([this] { impl_->background.run(); });
}

void app::stop()
{
    // Its thread logs: it must end before logging does.
    impl_->notices.reset();
    if (impl_->background_thread.joinable()) {
        impl_->generator->release();
        impl_->mail.stop();
        impl_->analytics.stop();
        impl_->journal.stop();
        impl_->retention.stop();
        impl_->orphans.stop();
        if (impl_->meaning)
            impl_->meaning->stop(impl_->background.get_executor());
        boost::asio::post(impl_->background, [this] {
            impl_->reload_stopped = true;
            impl_->reload_signal.cancel();
            impl_->reload_timer.cancel();
        });
        impl_->background_guard.reset();
        impl_->background_thread.join();
    }
    // Last, with nothing left to ask it, and while logging still runs: how
    // it closes may need saying (an unwritable SQLite -shm).
    impl_->db->close();
}

void app::draining()
{
    impl_->drain_started.store(true);
}

} // namespace chatkit
