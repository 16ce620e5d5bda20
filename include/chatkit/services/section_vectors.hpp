#pragma once

#include "chatkit/chat/embed/embeddings_client.hpp"
#include "chatkit/chat/search/retriever.hpp"
#include "chatkit/chat/search/vector_index.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace chatkit::store {
class db_executor;
}

namespace chatkit::services {

// The corpus's meaning, through an embeddings endpoint (EMBEDDINGS_*):
// every section's vector, cached in the database by (model, dimensions,
// hash of the embedded text), and each question's vector when it is asked.
//
// After a corpus (re)load, index() embeds only the sections the cache lacks,
// in batches, a few in flight, backing off on 429 and 5xx. Instances of one
// deployment share the work: one holds the "embeddings" lease and embeds,
// the others wait for its rows. Until every section has its vector, answers
// are lexical and the server stays ready.
class section_vectors {
public:
    section_vectors(store::db_executor& db, chat::embeddings_settings settings, std::string instance_id);
    ~section_vectors();

    // Starts building this corpus's vectors on `executor` (the background
    // one, which has one thread); a build for an earlier corpus stops at its
    // next step. Until the new one is ready, answers are lexical.
    void index(std::shared_ptr<const chat::retriever> corpus, boost::asio::any_io_executor executor);
    // Ends every build at once (cancelling its requests and waits), so the
    // background executor can run out; before its thread is joined.
    void stop(const boost::asio::any_io_executor& executor);
    // This corpus's vectors, once every section has one; null before.
    [[nodiscard]] std::shared_ptr<const chat::vector_index> vectors_for(const chat::retriever& corpus) const;
    // The question's vector, of `dimensions` (those of the corpus's
    // vectors), or nullopt when the endpoint fails or takes longer than the
    // question's deadline (counted: the answer is lexical).
    boost::asio::awaitable<std::optional<std::vector<float>>> embed_question(const std::string& question,
                                                                             std::size_t dimensions);
    [[nodiscard]] double min_similarity() const { return client_.settings().min_similarity; }
    // The last build gave up (a refusal, a malformed answer, retries spent)
    // and waits to try again: answers are lexical meanwhile.
    [[nodiscard]] bool failed() const { return failed_; }

    // The text embedded for a section and the hash that keys its vector.
    [[nodiscard]] static std::string embedded_text(const chat::section& s);
    [[nodiscard]] static std::string text_hash(std::string_view text);

    void append_metrics(std::string& out) const;

private:
    struct build;
    struct batches;
    enum class embedded { done, failed, lost };
    static constexpr std::chrono::seconds max_backoff{30};

    // Runs `work` on `executor` under a cancellation signal stop() emits.
    void spawn(const boost::asio::any_io_executor& executor, boost::asio::awaitable<void> work,
               std::function<void(std::exception_ptr)> done);
    boost::asio::awaitable<void> run(std::shared_ptr<build> b);
    boost::asio::awaitable<embedded> embed_missing(std::shared_ptr<build> b, std::vector<std::size_t> missing);
    boost::asio::awaitable<void> embed_batches(std::shared_ptr<batches> work);
    // Embeds missing[start, end); a range the endpoint refuses as input is
    // halved until the section it refuses is alone, which is left without a
    // vector (found by words only). False when the build must stop.
    boost::asio::awaitable<bool> embed_range(std::shared_ptr<batches> work, std::size_t start, std::size_t end);
    // Takes or renews the build's lease (false: another instance has it), or releases it.
    boost::asio::awaitable<bool> hold_lease(const build& b, bool hold);
    static boost::asio::awaitable<void> wait(std::chrono::steady_clock::duration d);
    [[nodiscard]] bool current(const build& b) const;

    store::db_executor& db_;
    chat::embeddings_client client_;
    std::string instance_id_;
    long long lease_seconds_;
    std::atomic<std::uint64_t> generation_{0};
    mutable std::mutex mutex_;
    std::weak_ptr<const chat::retriever> indexed_; // the corpus vectors_ belong to
    std::shared_ptr<const chat::vector_index> vectors_;
    // On the background executor only.
    std::vector<std::shared_ptr<boost::asio::cancellation_signal>> signals_;
    bool stopped_ = false;

    std::atomic<std::uint64_t> sections_embedded_{0}, batches_failed_{0}, questions_embedded_{0}, questions_lexical_{0};
    std::atomic<std::int64_t> sections_pending_{0};
    std::atomic<std::chrono::steady_clock::rep> skip_questions_until_{0};
    std::atomic<bool> ready_{false};
    std::atomic<bool> failed_{false};
};

} // namespace chatkit::services
