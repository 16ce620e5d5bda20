#include "chatkit/services/section_vectors.hpp"

#include "chatkit/store/db.hpp"
#include "chatkit/store/retention_repo.hpp"
#include "chatkit/store/vector_repo.hpp"
#include "chatkit/util/time.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace chatkit::services {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {

// About 1,500 tokens: within every common model's input limit (512 tokens
// for some small local models, which then truncate the rest themselves).
constexpr std::size_t max_embedded_bytes = 6000;
// Another instance embeds: look for its rows this often.
constexpr auto poll_interval = std::chrono::seconds(2);
// The lease outlives a slow batch; a dead holder's lapses within a minute.
constexpr long long lease_seconds = 60;
// A batch that keeps failing with 429 or 5xx is given up after about a
// minute of backing off (1, 2, 4, 8, 16, 30 s).
constexpr int max_attempts = 7;
constexpr auto max_backoff = std::chrono::seconds(30);
// A failing endpoint is logged once a minute, not once a question.
constexpr auto question_warning_interval = std::chrono::minutes(1);

std::string base64(const std::vector<std::int8_t>& bytes)
{
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1); // the terminating NUL
    return out;
}

std::optional<chat::quantized_vector> decoded(const store::vector_repo::vector_row& row)
{
    chat::quantized_vector v;
    v.codes.resize(row.codes.size());
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(v.codes.data()), v.codes.size(), row.codes.data(),
                          row.codes.size(), nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        length == 0)
        return std::nullopt;
    v.codes.resize(length);
    v.scale = static_cast<float>(row.scale);
    return v;
}

} // namespace

struct section_vectors::build {
    std::uint64_t generation;
    std::shared_ptr<const chat::retriever> corpus;
    std::vector<std::string> texts;  // per section
    std::vector<std::string> hashes; // per section
    std::unordered_map<std::string, chat::quantized_vector> cached;
    std::size_t embedded = 0;
    clock::time_point started = clock::now();
};

section_vectors::section_vectors(store::db_executor& db, chat::embeddings_settings settings, std::string instance_id)
    : db_(db), client_(std::move(settings)), instance_id_(std::move(instance_id))
{
}

section_vectors::~section_vectors() = default;

std::string section_vectors::embedded_text(const chat::section& s)
{
    std::string text;
    for (const auto& t : s.trail)
        text.append(t).append(" › ");
    text.append(s.title).append("\n\n").append(s.plain);
    if (text.size() > max_embedded_bytes) {
        auto cut = max_embedded_bytes;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut; // not inside a character
        text.resize(cut);
    }
    return text;
}

std::string section_vectors::text_hash(std::string_view text)
{
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                       0);
    char hex[2 * sizeof digest + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

void section_vectors::index(std::shared_ptr<const chat::retriever> corpus, asio::any_io_executor executor)
{
    auto b = std::make_shared<build>();
    b->generation = ++generation_;
    failed_ = false;
    b->corpus = std::move(corpus);
    asio::co_spawn(executor, run(std::move(b)), [this](std::exception_ptr e) {
        if (!e)
            return;
        failed_ = true;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("embeddings: building the vectors failed, answers stay lexical: {}", ex.what());
        }
    });
}

bool section_vectors::current(const build& b) const
{
    return b.generation == generation_.load();
}

std::shared_ptr<const chat::vector_index> section_vectors::vectors_for(const chat::retriever& corpus) const
{
    std::lock_guard lock(mutex_);
    return indexed_ == &corpus.source() ? vectors_ : nullptr;
}

asio::awaitable<void> section_vectors::run(std::shared_ptr<build> b)
{
    const auto& sections = b->corpus->sections();
    for (const auto& s : sections) {
        b->texts.push_back(embedded_text(s));
        b->hashes.push_back(text_hash(b->texts.back()));
    }
    const auto& model = client_.settings().model;
    const auto dimensions = static_cast<long long>(client_.settings().dimensions);
    bool waiting_logged = false;
    for (;;) {
        if (!current(*b))
            co_return;
        auto rows = co_await db_.read([&](soci::session& s) { return store::vector_repo::load(s, model, dimensions); });
        for (const auto& row : rows)
            if (auto v = decoded(row))
                b->cached.insert_or_assign(row.text_hash, std::move(*v));
        std::vector<std::size_t> missing;
        std::unordered_set<std::string_view> asked;
        for (std::size_t i = 0; i < sections.size(); ++i)
            if (!b->cached.contains(b->hashes[i]) && asked.insert(b->hashes[i]).second)
                missing.push_back(i);
        sections_pending_ = static_cast<std::int64_t>(missing.size());
        if (missing.empty())
            break;
        auto now = util::now_seconds();
        bool mine = co_await db_.write([&](soci::session& s) {
            return store::retention_repo::take_lease(s, "embeddings", instance_id_, now, now + lease_seconds);
        });
        if (!mine) {
            if (!std::exchange(waiting_logged, true))
                spdlog::info("embeddings: {} sections lack vectors; another instance is embedding them",
                             missing.size());
            asio::steady_timer wait(co_await asio::this_coro::executor, poll_interval);
            co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        spdlog::info("embeddings: embedding {} of {} sections with {} ({} cached)", missing.size(), sections.size(),
                     model, sections.size() - missing.size());
        if (!co_await embed_missing(*b, missing)) {
            failed_ = current(*b);
            // Another instance (or this one's successor) may try at once.
            co_await db_.write([&](soci::session& s) {
                return store::retention_repo::take_lease(s, "embeddings", instance_id_, now, 0);
            });
            co_return;
        }
    }
    if (!current(*b))
        co_return;
    std::shared_ptr<chat::vector_index> built;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto& v = b->cached.at(b->hashes[i]);
        if (!built) {
            built = std::make_shared<chat::vector_index>(v.codes.size());
            built->reserve(sections.size());
        }
        if (v.codes.size() != built->dimensions()) {
            spdlog::error("embeddings: the model answered vectors of {} and {} dimensions; set EMBEDDINGS_DIMENSIONS. "
                          "Answers stay lexical",
                          built->dimensions(), v.codes.size());
            failed_ = true;
            co_return;
        }
        built->push_back(v);
    }
    {
        std::lock_guard lock(mutex_);
        if (!current(*b))
            co_return;
        indexed_ = &b->corpus->source();
        vectors_ = std::move(built);
        ready_ = true;
        spdlog::info("embeddings: ready, {} sections ({} embedded now) in {} ms, {:.1f} MB in memory", sections.size(),
                     b->embedded,
                     std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - b->started).count(),
                     vectors_ ? static_cast<double>(vectors_->memory_bytes()) / 1e6 : 0.0);
    }
    std::unordered_set<std::string> keep(b->hashes.begin(), b->hashes.end());
    auto removed = co_await db_.write(
        [&](soci::session& s) { return store::vector_repo::remove_others(s, model, dimensions, keep); });
    if (removed)
        spdlog::info("embeddings: removed {} vectors of text no longer in the corpus", removed);
}

asio::awaitable<bool> section_vectors::embed_missing(build& b, const std::vector<std::size_t>& missing)
{
    auto executor = co_await asio::this_coro::executor;
    std::atomic<std::size_t> next{0};
    bool failed = false;
    auto workers = std::max<std::size_t>(1, client_.settings().concurrency);
    std::size_t running = workers;
    asio::steady_timer all_done(executor, clock::time_point::max());
    // The background executor has one thread: `running` and `failed` need no lock.
    for (std::size_t i = 0; i < workers; ++i)
        asio::co_spawn(executor, embed_batches(b, missing, next, failed), [&](std::exception_ptr e) {
            if (e) {
                failed = true;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("embeddings: {}", ex.what());
                }
            }
            if (--running == 0)
                all_done.cancel();
        });
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !failed && current(b);
}

asio::awaitable<void> section_vectors::embed_batches(build& b, const std::vector<std::size_t>& missing,
                                                     std::atomic<std::size_t>& next, bool& failed)
{
    const auto& settings = client_.settings();
    const auto batch = std::max<std::size_t>(1, settings.batch_size);
    const auto dimensions = static_cast<long long>(settings.dimensions);
    for (;;) {
        if (failed || !current(b))
            co_return;
        auto start = next.fetch_add(batch);
        if (start >= missing.size())
            co_return;
        auto end = std::min(missing.size(), start + batch);
        std::vector<std::string> texts;
        for (auto i = start; i < end; ++i)
            texts.push_back(b.texts[missing[i]]);
        std::vector<std::vector<float>> vectors;
        auto backoff = std::chrono::seconds(1);
        for (int attempt = 1;; ++attempt) {
            try {
                vectors = co_await client_.embed(texts, settings.request_timeout);
                break;
            } catch (const chat::embeddings_error& e) {
                ++batches_failed_;
                if (!e.retryable || attempt == max_attempts) {
                    spdlog::error("embeddings: {}; {} sections stay without vectors and answers stay lexical until "
                                  "the next reload",
                                  e.what(), missing.size() - std::min(missing.size(), start));
                    failed = true;
                    co_return;
                }
                spdlog::warn("embeddings: {}; trying again in {} s", e.what(), backoff.count());
            }
            asio::steady_timer wait(co_await asio::this_coro::executor, backoff);
            co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
            backoff = std::min<std::chrono::seconds>(backoff * 2, max_backoff);
            if (!current(b))
                co_return;
        }
        std::vector<store::vector_repo::vector_row> rows;
        for (std::size_t i = 0; i < vectors.size(); ++i) {
            auto q = chat::quantize(vectors[i]);
            const auto& hash = b.hashes[missing[start + i]];
            rows.push_back({hash, q.scale, base64(q.codes)});
            b.cached.insert_or_assign(hash, std::move(q));
        }
        auto now = util::now_seconds();
        co_await db_.write([&](soci::session& s) {
            store::vector_repo::insert(s, settings.model, dimensions, rows, now);
            store::retention_repo::take_lease(s, "embeddings", instance_id_, now, now + lease_seconds);
        });
        b.embedded += rows.size();
        sections_embedded_ += rows.size();
        sections_pending_ -= static_cast<std::int64_t>(rows.size());
        spdlog::debug("embeddings: {} of {} sections embedded", b.embedded, missing.size());
    }
}

asio::awaitable<std::optional<std::vector<float>>> section_vectors::embed_question(const std::string& question)
{
    try {
        // Not a braced list: GCC 12 cannot copy its array into a coroutine frame.
        const std::vector<std::string> texts(1, question);
        auto vectors = co_await client_.embed(texts, client_.settings().question_timeout);
        ++questions_embedded_;
        co_return std::move(vectors.front());
    } catch (const chat::embeddings_error& e) {
        ++questions_lexical_;
        static std::atomic<clock::rep> last_warning{0};
        auto now = clock::now().time_since_epoch().count();
        auto last = last_warning.load();
        if (now - last >= std::chrono::duration_cast<clock::duration>(question_warning_interval).count() &&
            last_warning.compare_exchange_strong(last, now))
            spdlog::warn("embeddings: a question was answered lexically: {}", e.what());
    }
    co_return std::nullopt;
}

void section_vectors::append_metrics(std::string& out) const
{
    out += "# HELP chatkit_embeddings_ready Whether every section of the corpus has its vector (1) or answers are "
           "lexical (0).\n# TYPE chatkit_embeddings_ready gauge\n";
    out += fmt::format("chatkit_embeddings_ready {}\n", ready_.load() ? 1 : 0);
    out += "# HELP chatkit_embeddings_sections_pending Sections of the corpus still without a vector.\n"
           "# TYPE chatkit_embeddings_sections_pending gauge\n";
    out += fmt::format("chatkit_embeddings_sections_pending {}\n", std::max<std::int64_t>(0, sections_pending_));
    out += "# HELP chatkit_embeddings_sections_embedded_total Sections this instance embedded.\n"
           "# TYPE chatkit_embeddings_sections_embedded_total counter\n";
    out += fmt::format("chatkit_embeddings_sections_embedded_total {}\n", sections_embedded_.load());
    out += "# HELP chatkit_embeddings_batch_failures_total Batch requests to the embeddings endpoint that failed.\n"
           "# TYPE chatkit_embeddings_batch_failures_total counter\n";
    out += fmt::format("chatkit_embeddings_batch_failures_total {}\n", batches_failed_.load());
    out += "# HELP chatkit_embeddings_questions_total Questions by how they were searched: hybrid (words and "
           "meaning) or lexical (the endpoint failed or was slow).\n"
           "# TYPE chatkit_embeddings_questions_total counter\n";
    out += fmt::format("chatkit_embeddings_questions_total{{retrieval=\"hybrid\"}} {}\n", questions_embedded_.load());
    out += fmt::format("chatkit_embeddings_questions_total{{retrieval=\"lexical\"}} {}\n", questions_lexical_.load());
}

} // namespace chatkit::services
