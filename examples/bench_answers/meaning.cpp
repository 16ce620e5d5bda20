#include "meaning.hpp"

#include "chatkit/config/loader.hpp"
#include "chatkit/embeddings_setup.hpp"
#include "chatkit/security/tokens.hpp"
#include "chatkit/services/section_vectors.hpp"
#include "chatkit/store/db.hpp"
#include "chatkit/store/migrations.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace chatkit::bench {

namespace asio = boost::asio;

struct meaning_source::impl {
    std::shared_ptr<const chat::retriever> index;
    config::config cfg;
    std::unique_ptr<store::db_executor> db;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
    std::unique_ptr<services::section_vectors> service;
    std::shared_ptr<const chat::vector_index> vectors;

    ~impl()
    {
        if (service)
            service->stop(io.get_executor());
        work.reset();
        io.stop();
        if (thread.joinable())
            thread.join();
    }
};

meaning_source::meaning_source(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
meaning_source::~meaning_source() = default;

std::unique_ptr<meaning_source> meaning_source::from_environment(std::shared_ptr<const chat::retriever> index)
{
    auto loaded = config::load(config::process_env(), {});
    if (!loaded.error.empty())
        throw std::invalid_argument(loaded.error);
    if (loaded.cfg.embeddings_base_url.empty())
        return nullptr;
    if (loaded.cfg.embeddings_model.empty())
        throw std::invalid_argument("EMBEDDINGS_BASE_URL is set but EMBEDDINGS_MODEL is not");
    auto i = std::make_unique<impl>();
    i->index = std::move(index);
    i->cfg = loaded.cfg;
    std::string cache;
    if (const char* path = std::getenv("EMBEDDINGS_CACHE"))
        cache = path;
    else {
        const char* home = std::getenv("HOME");
        cache = std::string(home ? home : "/tmp") + "/.cache/chatkit-bench-vectors.db";
    }
    std::filesystem::create_directories(std::filesystem::path(cache).parent_path());
    store::db_options options;
    options.url = "sqlite://" + cache;
    i->db = store::db_executor::open(options);
    store::migrate(*i->db);
    i->thread = std::thread([io = &i->io] { io->run(); });
    i->service = std::make_unique<services::section_vectors>(*i->db, embeddings_settings_for(i->cfg),
                                                             "bench-" + security::new_uuid());
    i->service->index(i->index, i->io.get_executor());
    // The service logs its progress; it gives up (and logs why) on an
    // endpoint that refuses, so wait as long as a real model may need.
    for (int waited = 0; !(i->vectors = i->service->vectors_for(*i->index)); ++waited) {
        if (waited > 6 * 3600 * 10)
            throw std::runtime_error("the corpus's vectors did not arrive");
        if (i->service->failed())
            throw std::runtime_error("the corpus could not be embedded (see the log above)");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::unique_ptr<meaning_source>(new meaning_source(std::move(i)));
}

const chat::vector_index& meaning_source::vectors() const
{
    return *impl_->vectors;
}

double meaning_source::min_similarity() const
{
    return impl_->service->min_similarity();
}

std::string meaning_source::model() const
{
    return impl_->cfg.embeddings_model;
}

std::optional<std::vector<float>> meaning_source::embed(const std::string& question)
{
    return asio::co_spawn(impl_->io, impl_->service->embed_question(question, impl_->vectors->dimensions()),
                          asio::use_future)
        .get();
}

} // namespace chatkit::bench
