#include "chatkit/services/section_vectors.hpp"

#include "chatkit/store/db.hpp"
#include "chatkit/store/retention_repo.hpp"
#include "chatkit/store/vector_repo.hpp"
#include "chatkit/util/time.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
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
constexpr const char* lease_name = "embeddings";
// A build that gave up is tried again after this long.
constexpr auto retry_interval = std::chrono::minutes(5);
// After a question's embedding failed, the next ones are lexical at once for this long.
constexpr auto question_pause = std::chrono::seconds(10);
// A batch that keeps failing with 429 or 5xx is given up after about a
// minute of backing off (1, 2, 4, 8, 16, 30 s).
constexpr int max_attempts = 7;
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
    std::string holder; // this build's name on the lease: a superseded build cannot release its successor's
    std::shared_ptr<const chat::retriever> corpus;
    std::vector<std::string> texts;  // per section
    std::vector<std::string> hashes; // per section
    std::unordered_map<std::string, chat::quantized_vector> cached;
    // Texts the endpoint refused alone (too long for the model, often):
    // found by words only, and asked for again at the next build.
    std::unordered_set<std::string> refused;
    std::size_t embedded = 0;
    clock::time_point started = clock::now();
};

// What the workers of one embed_missing share. Held by each of them, so a
// stop that unwinds embed_missing first frees nothing they still use.
struct section_vectors::batches {
    std::shared_ptr<build> b;
    std::vector<std::size_t> missing;
    std::size_t next = 0; // the background executor has one thread: no lock
    std::size_t running = 0;
    bool failed = false;
    bool lost = false; // the lease went to another instance
    asio::steady_timer all_done;
    batches(std::shared_ptr<build> of, std::vector<std::size_t> sections, const asio::any_io_executor& executor)
        : b(std::move(of)), missing(std::move(sections)), all_done(executor, clock::time_point::max())
    {
    }
};

section_vectors::section_vectors(store::db_executor& db, chat::embeddings_settings settings, std::string instance_id)
    : db_(db), client_(std::move(settings)), instance_id_(std::move(instance_id)),
      // Renewed before every request: it must outlast a request and the
      // longest wait before the next one.
      lease_seconds_(std::max<long long>(
          60, 2 * std::chrono::duration_cast<std::chrono::seconds>(client_.settings().request_timeout).count() +
                  max_backoff.count() + 30))
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

void section_vectors::spawn(const asio::any_io_executor& executor, asio::awaitable<void> work,
                            std::function<void(std::exception_ptr)> done)
{
    auto signal = std::make_shared<asio::cancellation_signal>();
    signals_.push_back(signal);
    asio::co_spawn(
        executor, std::move(work),
        asio::bind_cancellation_slot(signal->slot(), [this, signal, done = std::move(done)](std::exception_ptr e) {
            std::erase(signals_, signal);
            done(e);
        }));
}

void section_vectors::index(std::shared_ptr<const chat::retriever> corpus, asio::any_io_executor executor)
{
    auto b = std::make_shared<build>();
    b->generation = ++generation_;
    b->holder = instance_id_ + "/" + std::to_string(b->generation);
    b->corpus = std::move(corpus);
    ready_ = false;
    failed_ = false;
    {
        std::lock_guard lock(mutex_);
        indexed_.reset();
        vectors_.reset();
    }
    asio::post(executor, [this, b, executor] {
        if (stopped_)
            return;
        spawn(executor, run(b), [this, b](std::exception_ptr e) {
            if (!e || stopped_ || !current(*b))
                return;
            failed_ = true;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("embeddings: building the vectors failed, answers stay lexical: {}", ex.what());
            }
        });
    });
}

void section_vectors::stop(const asio::any_io_executor& executor)
{
    asio::post(executor, [this] {
        stopped_ = true;
        ++generation_;
        // Emitting may complete a coroutine at once, which leaves the list.
        auto all = signals_;
        for (auto& signal : all)
            signal->emit(asio::cancellation_type::terminal);
    });
}

bool section_vectors::current(const build& b) const
{
    return b.generation == generation_.load();
}

std::shared_ptr<const chat::vector_index> section_vectors::vectors_for(const chat::retriever& corpus) const
{
    std::lock_guard lock(mutex_);
    // A weak pointer: a retriever freed and another made at its address is not the one indexed.
    return indexed_.lock().get() == &corpus ? vectors_ : nullptr;
}

asio::awaitable<bool> section_vectors::hold_lease(const build& b, bool hold)
{
    auto now = util::now_seconds();
    auto until = hold ? now + lease_seconds_ : 0;
    co_return co_await db_.write(
        [&](soci::session& s) { return store::retention_repo::take_lease(s, lease_name, b.holder, now, until); });
}

asio::awaitable<void> section_vectors::wait(clock::duration d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
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
    long long loaded = -1; // rows of this model when last read: a waiting instance reads them only when more came
    std::vector<std::size_t> missing;
    for (;;) {
        if (!current(*b))
            co_return;
        auto count =
            co_await db_.read([&](soci::session& s) { return store::vector_repo::count(s, model, dimensions); });
        if (count != loaded) {
            loaded = count;
            auto rows =
                co_await db_.read([&](soci::session& s) { return store::vector_repo::load(s, model, dimensions); });
            for (const auto& row : rows)
                if (auto v = decoded(row))
                    b->cached.insert_or_assign(row.text_hash, std::move(*v));
            missing.clear();
            std::unordered_set<std::string_view> asked;
            for (std::size_t i = 0; i < sections.size(); ++i)
                if (!b->cached.contains(b->hashes[i]) && !b->refused.contains(b->hashes[i]) &&
                    asked.insert(b->hashes[i]).second)
                    missing.push_back(i);
            sections_pending_ = static_cast<std::int64_t>(missing.size());
        }
        if (missing.empty())
            break;
        if (!co_await hold_lease(*b, true)) {
            if (!std::exchange(waiting_logged, true))
                spdlog::info("embeddings: {} sections lack vectors; another instance is embedding them",
                             missing.size());
            co_await wait(poll_interval);
            continue;
        }
        spdlog::info("embeddings: embedding {} of {} sections with {} ({} cached)", missing.size(), sections.size(),
                     model, sections.size() - missing.size());
        auto outcome = co_await embed_missing(b, std::exchange(missing, {}));
        loaded = -1;
        // Another instance may go on at once (this one's rows are read again above).
        co_await hold_lease(*b, false);
        if (outcome != embedded::failed)
            continue;
        // An endpoint that starts after the server (Ollama on boot) or a
        // key fixed in place: tried again later, not only at a reload.
        failed_ = true;
        spdlog::warn("embeddings: answers stay lexical; building the vectors again in {} s",
                     std::chrono::duration_cast<std::chrono::seconds>(retry_interval).count());
        co_await wait(retry_interval);
        failed_ = false;
    }
    if (!current(*b))
        co_return;
    std::shared_ptr<chat::vector_index> built;
    chat::quantized_vector none; // a refused section's: near nothing
    for (const auto& hash : b->hashes)
        if (auto it = b->cached.find(hash); it != b->cached.end()) {
            built = std::make_shared<chat::vector_index>(it->second.codes.size());
            built->reserve(sections.size());
            none.codes.assign(built->dimensions(), 0);
            break;
        }
    if (!built) {
        spdlog::error("embeddings: the endpoint refused every section; answers stay lexical");
        failed_ = true;
        co_return;
    }
    for (std::size_t i = 0; i < sections.size(); ++i) {
        auto it = b->cached.find(b->hashes[i]);
        const auto& v = it == b->cached.end() ? none : it->second;
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
        indexed_ = b->corpus;
        vectors_ = std::move(built);
        ready_ = true;
        spdlog::info("embeddings: ready, {} sections ({} embedded now) in {} ms, {:.1f} MB in memory", sections.size(),
                     b->embedded,
                     std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - b->started).count(),
                     vectors_ ? static_cast<double>(vectors_->memory_bytes()) / 1e6 : 0.0);
    }
    // One instance at a time, and only rows old enough that no instance
    // still loading a newer or older corpus (a rolling deploy, docs synced
    // at different times) is about to read them.
    if (!co_await hold_lease(*b, true))
        co_return;
    std::unordered_set<std::string> keep(b->hashes.begin(), b->hashes.end());
    auto cutoff = util::now_seconds() - client_.settings().keep_unused.count();
    auto removed = co_await db_.write(
        [&](soci::session& s) { return store::vector_repo::remove_others(s, model, dimensions, keep, cutoff); });
    co_await hold_lease(*b, false);
    if (removed)
        spdlog::info("embeddings: removed {} vectors of text no longer in the corpus", removed);
}

asio::awaitable<section_vectors::embedded> section_vectors::embed_missing(std::shared_ptr<build> b,
                                                                          std::vector<std::size_t> missing)
{
    auto executor = co_await asio::this_coro::executor;
    auto work = std::make_shared<batches>(std::move(b), std::move(missing), executor);
    work->running = std::max<std::size_t>(1, client_.settings().concurrency);
    for (std::size_t i = work->running; i > 0; --i)
        spawn(executor, embed_batches(work), [work](std::exception_ptr e) {
            if (e) {
                work->failed = true;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("embeddings: {}", ex.what());
                }
            }
            if (--work->running == 0)
                work->all_done.cancel();
        });
    co_await work->all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (work->failed || !current(*work->b))
        co_return embedded::failed;
    co_return work->lost ? embedded::lost : embedded::done;
}

asio::awaitable<void> section_vectors::embed_batches(std::shared_ptr<batches> work)
{
    const auto batch = std::max<std::size_t>(1, client_.settings().batch_size);
    for (;;) {
        if (work->failed || work->lost || !current(*work->b))
            co_return;
        auto start = work->next;
        if (start >= work->missing.size())
            co_return;
        work->next += batch;
        if (!co_await embed_range(work, start, std::min(work->missing.size(), start + batch)))
            co_return;
    }
}

asio::awaitable<bool> section_vectors::embed_range(std::shared_ptr<batches> work, std::size_t start, std::size_t end)
{
    const auto& settings = client_.settings();
    auto& b = *work->b;
    const auto& missing = work->missing;
    std::vector<std::string> texts;
    for (auto i = start; i < end; ++i)
        texts.push_back(b.texts[missing[i]]);
    std::vector<std::vector<float>> vectors;
    auto backoff = std::chrono::seconds(1);
    bool halve = false; // no co_await inside a catch
    for (int attempt = 1; !halve; ++attempt) {
        if (!co_await hold_lease(b, true)) {
            work->lost = true; // another instance took over: it embeds what is left
            co_return false;
        }
        try {
            vectors = co_await client_.embed(texts, settings.request_timeout);
            break;
        } catch (const chat::embeddings_error& e) {
            ++batches_failed_;
            if (e.input_refused()) {
                if (end - start == 1) {
                    spdlog::warn("embeddings: the endpoint refused section {} ({}); it is found by words only",
                                 b.corpus->sections()[missing[start]].id, e.what());
                    b.refused.insert(b.hashes[missing[start]]);
                    co_return true;
                }
                halve = true;
                continue;
            }
            if (!e.retryable || attempt == max_attempts) {
                spdlog::error("embeddings: {}; {} sections stay without vectors", e.what(),
                              missing.size() - std::min(missing.size(), start));
                work->failed = true;
                co_return false;
            }
            spdlog::warn("embeddings: {}; trying again in {} s", e.what(), backoff.count());
        }
        co_await wait(backoff);
        backoff = std::min<std::chrono::seconds>(backoff * 2, max_backoff);
        if (!current(b))
            co_return false;
    }
    if (halve) { // until the section it refuses is alone
        auto middle = start + (end - start) / 2;
        if (!co_await embed_range(work, start, middle))
            co_return false;
        co_return co_await embed_range(work, middle, end);
    }
    std::vector<store::vector_repo::vector_row> rows;
    for (std::size_t i = 0; i < vectors.size(); ++i) {
        auto q = chat::quantize(vectors[i]);
        const auto& hash = b.hashes[missing[start + i]];
        rows.push_back({hash, q.scale, base64(q.codes)});
        b.cached.insert_or_assign(hash, std::move(q));
    }
    auto now = util::now_seconds();
    const auto dimensions = static_cast<long long>(settings.dimensions);
    co_await db_.write([&](soci::session& s) { store::vector_repo::insert(s, settings.model, dimensions, rows, now); });
    b.embedded += rows.size();
    sections_embedded_ += rows.size();
    sections_pending_ -= static_cast<std::int64_t>(rows.size());
    spdlog::debug("embeddings: {} of {} sections embedded", b.embedded, missing.size());
    co_return true;
}

asio::awaitable<std::optional<std::vector<float>>> section_vectors::embed_question(const std::string& question,
                                                                                   std::size_t dimensions)
{
    // An endpoint that just failed is not waited for again at once: every
    // reader meanwhile would wait the whole deadline for a lexical answer.
    if (clock::now().time_since_epoch().count() < skip_questions_until_.load()) {
        ++questions_lexical_;
        co_return std::nullopt;
    }
    try {
        // Not a braced list: GCC 12 cannot copy its array into a coroutine frame.
        const std::vector<std::string> texts(1, question);
        auto vectors = co_await client_.embed(texts, client_.settings().question_timeout, dimensions);
        ++questions_embedded_;
        co_return std::move(vectors.front());
    } catch (const chat::embeddings_error& e) {
        ++questions_lexical_;
        skip_questions_until_ = (clock::now() + question_pause).time_since_epoch().count();
        static std::atomic<clock::rep> last_warning{0};
        auto now = clock::now().time_since_epoch().count();
        auto last = last_warning.load();
        if (now - last >= std::chrono::duration_cast<clock::duration>(question_warning_interval).count() &&
            last_warning.compare_exchange_strong(last, now))
            spdlog::warn("embeddings: questions are answered lexically for {} s: {}",
                         std::chrono::duration_cast<std::chrono::seconds>(question_pause).count(), e.what());
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
