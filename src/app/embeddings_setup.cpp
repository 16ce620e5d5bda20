#include "chatkit/embeddings_setup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace chatkit {

chat::embeddings_settings embeddings_settings_for(const config::config& cfg)
{
    chat::embeddings_settings s;
    s.base_url = cfg.embeddings_base_url;
    s.model = cfg.embeddings_model;
    s.api_key = cfg.embeddings_api_key;
    s.dimensions = cfg.embeddings_dimensions;
    s.connect_timeout = cfg.embeddings_connect_timeout;
    s.request_timeout = cfg.embeddings_request_timeout;
    s.question_timeout = cfg.embeddings_question_timeout;
    s.batch_size = cfg.embeddings_batch_size;
    s.concurrency = cfg.embeddings_concurrency;
    s.min_similarity = cfg.embeddings_min_similarity;
    s.keep_unused = cfg.embeddings_keep_unused;
    return s;
}

embeddings_probe probe_embeddings(const config::config& cfg)
{
    try {
        chat::embeddings_client client(embeddings_settings_for(cfg));
        boost::asio::io_context io;
        // Outlives the coroutine, which holds a reference to it.
        const std::vector<std::string> texts{"How do I get started?"};
        auto vectors =
            boost::asio::co_spawn(io, client.embed(texts, cfg.embeddings_request_timeout), boost::asio::use_future);
        io.run();
        auto got = vectors.get();
        return {true, cfg.embeddings_model + ", " + std::to_string(got.front().size()) + " dimensions"};
    } catch (const std::exception& e) {
        return {false, e.what()};
    }
}

} // namespace chatkit
