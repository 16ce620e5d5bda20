// Retrieval by meaning against tests/support/fake_embeddings.py, which speaks
// the real /v1/embeddings wire format with deterministic vectors: the cache,
// its upkeep, two instances sharing the work, and every way the endpoint
// can fail leaving a lexical answer. Over SQLite and PostgreSQL.
#include "support/api.hpp"
#include "support/eventually.hpp"
#include "support/server_process.hpp"
#include "support/services.hpp"
#include "support/sse.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>

using namespace chatkit::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class embeddings : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override
    {
        if (GetParam() == "postgresql" && !postgres_admin_url())
            GTEST_SKIP() << "no PostgreSQL (run through scripts/test)";
        char dir[] = "/tmp/chatkit-embeddings-XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
        corpus_ = dir_ / "corpus";
        fs::copy(test_corpus(), corpus_, fs::copy_options::recursive);
        log_ = (dir_ / "embeddings.log").string();
        database_ = fresh_database(GetParam());
        const char* script = std::getenv("CHATKIT_FAKE_EMBEDDINGS");
        ASSERT_NE(script, nullptr) << "run through meson test";
        fake_ = std::make_unique<server_process>(
            std::vector<std::string>{script, "--port", "0", "--log", log_, "--slow-seconds", "5", "--delay-ms", "100"},
            std::map<std::string, std::string>{}, "/usr/bin/python3");
        auto port = fake_->wait_until_listening();
        ASSERT_TRUE(port) << fake_->output();
        fake_port_ = *port;
    }
    void TearDown() override
    {
        for (auto* s : {&server_, &second_})
            if (HasFailure() && *s)
                std::fprintf(stderr, "--- server ---\n%s\n", (*s)->output().c_str());
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::map<std::string, std::string> env(const std::string& mode_prefix = {}) const
    {
        auto e = dev_env();
        e["DATABASE_URL"] = database_;
        e["CORPUS_DIR"] = corpus_.string();
        e["EMBEDDINGS_BASE_URL"] = "http://127.0.0.1:" + std::to_string(fake_port_) + mode_prefix + "/v1";
        e["EMBEDDINGS_MODEL"] = "fake-embed";
        e["EMBEDDINGS_API_KEY"] = "sk-embeddings-secret";
        e["EMBEDDINGS_BATCH_SIZE"] = "4";
        e["EMBEDDINGS_QUESTION_TIMEOUT"] = "500ms";
        return e;
    }
    std::unique_ptr<server_process> start(const std::map<std::string, std::string>& e)
    {
        auto s = std::make_unique<server_process>(std::vector<std::string>{}, e);
        EXPECT_TRUE(s->wait_until_listening()) << s->output();
        return s;
    }
    static bool ready(const server_process& s)
    {
        return request(s.port(), "GET", "/metrics").body.find("chatkit_embeddings_ready 1\n") != std::string::npos;
    }
    static double metric(const server_process& s, const std::string& line_start)
    {
        auto body = request(s.port(), "GET", "/metrics").body;
        auto at = body.find("\n" + line_start + " ");
        return at == std::string::npos ? -1 : std::atof(body.c_str() + at + line_start.size() + 2);
    }

    // The texts the fake was asked to embed, in order, one entry per input.
    std::vector<std::string> inputs() const
    {
        std::vector<std::string> out;
        std::ifstream in(log_);
        std::string line;
        while (std::getline(in, line)) {
            auto record = boost::json::parse(line);
            for (const auto& t : record.at("inputs").as_array())
                out.emplace_back(t.as_string());
        }
        return out;
    }
    long long cached_rows() const { return query_number(database_, "SELECT COUNT(*) FROM section_vectors"); }

    // The answer to a question, as POST /chat gives it.
    static boost::json::value answer(const server_process& s, const std::string& question)
    {
        auto r = call(s.port(), "POST", "/api/v1/chat", ask(question));
        EXPECT_EQ(r.status(), 200u) << r.raw.body;
        return r.json;
    }
    static std::string retrieval(const boost::json::value& a)
    {
        const auto* m = a.is_object() ? a.as_object().if_contains("metadata") : nullptr;
        return m ? std::string(m->at("retrieval").as_string()) : "";
    }

    fs::path dir_, corpus_;
    std::string log_, database_;
    std::unique_ptr<server_process> fake_, server_, second_;
    std::uint16_t fake_port_ = 0;
};

std::string param_name(const ::testing::TestParamInfo<std::string>& info)
{
    return info.param;
}

} // namespace

TEST_P(embeddings, each_section_is_embedded_once_and_a_restart_embeds_nothing)
{
    server_ = start(env());
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    auto first = inputs();
    std::set<std::string> distinct(first.begin(), first.end());
    ASSERT_GT(first.size(), 4u) << "more than one batch";
    EXPECT_EQ(distinct.size(), first.size()) << "a text was embedded twice";
    EXPECT_EQ(cached_rows(), static_cast<long long>(distinct.size()));
    EXPECT_EQ(metric(*server_, "chatkit_embeddings_sections_pending"), 0);

    server_->signal(SIGTERM);
    ASSERT_TRUE(server_->wait_exit(15s));
    server_ = start(env());
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    EXPECT_EQ(inputs().size(), first.size()) << "the restart embedded again what the cache holds";
    EXPECT_EQ(metric(*server_, "chatkit_embeddings_sections_embedded_total"), 0);
}

TEST_P(embeddings, a_changed_section_is_embedded_again_and_a_removed_one_deleted)
{
    auto e = env();
    e["EMBEDDINGS_KEEP_UNUSED"] = "1s";
    server_ = start(e);
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    auto before = inputs().size();
    auto rows_before = cached_rows();
    std::this_thread::sleep_for(2100ms); // the rows (stamped in whole seconds) outlive EMBEDDINGS_KEEP_UNUSED
    {
        std::ofstream page(corpus_ / "embodied.md", std::ios::app);
        page << "\n\nTeleoperation lets a person steer the robot from afar.\n";
    }
    fs::remove(corpus_ / "hostile.md");
    server_->signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return inputs().size() > before; }, 20s));
    auto after = inputs();
    std::vector<std::string> added(after.begin() + static_cast<long>(before), after.end());
    ASSERT_EQ(added.size(), 1u) << "only the changed section";
    EXPECT_NE(added.front().find("Teleoperation"), std::string::npos);
    // The changed section's old vector and the removed page's are gone.
    ASSERT_TRUE(eventually([&] { return cached_rows() < rows_before; }, 10s)) << cached_rows();
    EXPECT_EQ(query_number(database_, "SELECT COUNT(*) FROM section_vectors WHERE model <> 'fake-embed'"), 0);
}

TEST_P(embeddings, two_instances_embed_each_section_once)
{
    server_ = start(env());
    second_ = start(env());
    ASSERT_TRUE(eventually([&] { return ready(*server_) && ready(*second_); }, 30s));
    auto all = inputs();
    std::set<std::string> distinct(all.begin(), all.end());
    EXPECT_EQ(distinct.size(), all.size()) << "both instances embedded the same sections";
    EXPECT_EQ(metric(*server_, "chatkit_embeddings_sections_embedded_total") +
                  metric(*second_, "chatkit_embeddings_sections_embedded_total"),
              static_cast<double>(all.size()));
}

TEST_P(embeddings, answers_are_hybrid_and_lexical_when_the_endpoint_goes_away)
{
    server_ = start(env());
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    auto hybrid = answer(*server_, "What is embodied AI?");
    EXPECT_EQ(retrieval(hybrid), "hybrid");
    EXPECT_FALSE(hybrid.at("sources").as_array().empty());
    EXPECT_EQ(inputs().back(), "What is embodied AI?");

    fake_->signal(SIGKILL);
    ASSERT_TRUE(fake_->wait_exit(5s));
    auto lexical = answer(*server_, "What is embodied AI?");
    EXPECT_EQ(retrieval(lexical), "lexical");
    EXPECT_FALSE(lexical.at("sources").as_array().empty());
    EXPECT_FALSE(lexical.at("answer").as_string().empty());
    EXPECT_EQ(metric(*server_, "chatkit_embeddings_questions_total{retrieval=\"lexical\"}"), 1);
    EXPECT_EQ(server_->output().find("sk-embeddings-secret"), std::string::npos) << "the key reached the log";
}

TEST_P(embeddings, a_slow_question_is_answered_lexically_within_its_deadline)
{
    server_ = start(env("/slow-questions"));
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    auto started = std::chrono::steady_clock::now();
    auto a = answer(*server_, "What is embodied AI?");
    EXPECT_EQ(retrieval(a), "lexical");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 4s) << "the 5 s question was waited for";
}

TEST_P(embeddings, a_failing_batch_is_tried_again)
{
    server_ = start(env("/flaky"));
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    EXPECT_EQ(metric(*server_, "chatkit_embeddings_batch_failures_total"), 2);
    EXPECT_NE(server_->output().find("trying again"), std::string::npos);
}

TEST_P(embeddings, a_malformed_or_wrong_sized_answer_is_refused_and_answers_stay_lexical)
{
    for (const std::string mode : {"/malformed", "/wrong-dims", "/status/401"}) {
        SCOPED_TRACE(mode);
        auto e = env(mode);
        e["EMBEDDINGS_DIMENSIONS"] = "64";
        server_ = start(e);
        ASSERT_TRUE(
            eventually([&] { return server_->output().find("answers stay lexical") != std::string::npos; }, 10s));
        EXPECT_EQ(metric(*server_, "chatkit_embeddings_ready"), 0);
        auto a = answer(*server_, "What is embodied AI?");
        EXPECT_EQ(retrieval(a), "lexical");
        EXPECT_FALSE(a.at("sources").as_array().empty());
        EXPECT_EQ(cached_rows(), 0);
        server_->signal(SIGTERM);
        ASSERT_TRUE(server_->wait_exit(15s));
    }
}

TEST_P(embeddings, a_section_the_endpoint_refuses_is_found_by_words_only)
{
    {
        std::ofstream page(corpus_ / "embodied.md", std::ios::app);
        page << "\n\n## Teleoperation\n\nTeleoperation lets a person steer the robot from afar.\n";
    }
    server_ = start(env("/refuse/Teleoperation"));
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s)) << "one refused section does not stop the rest";
    EXPECT_NE(server_->output().find("it is found by words only"), std::string::npos);
    std::set<std::string> distinct;
    for (auto& t : inputs())
        distinct.insert(t);
    EXPECT_EQ(cached_rows(), static_cast<long long>(distinct.size()) - 1) << "all but the refused one";
    auto a = answer(*server_, "What is teleoperation?");
    EXPECT_EQ(retrieval(a), "hybrid");
    ASSERT_FALSE(a.at("sources").as_array().empty());
    EXPECT_EQ(a.at("sources").as_array().front().at("title"), "Teleoperation") << "by its words";
}

TEST_P(embeddings, shutdown_does_not_wait_for_a_build)
{
    server_ = start(env("/slow"));
    ASSERT_TRUE(eventually([&] { return !inputs().empty(); }, 10s)) << "a batch is on its way";
    auto asked = std::chrono::steady_clock::now();
    server_->signal(SIGTERM);
    ASSERT_EQ(server_->wait_exit(15s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 4s) << "the 5 s batch was waited for";
}

TEST_P(embeddings, a_reloaded_corpus_is_lexical_until_its_own_vectors_exist)
{
    server_ = start(env());
    ASSERT_TRUE(eventually([&] { return ready(*server_); }, 20s));
    fake_->signal(SIGKILL);
    ASSERT_TRUE(fake_->wait_exit(5s));
    {
        std::ofstream page(corpus_ / "embodied.md", std::ios::app);
        page << "\n\nTeleoperation lets a person steer the robot from afar.\n";
    }
    server_->signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return metric(*server_, "chatkit_embeddings_ready") == 0; }, 10s));
    EXPECT_EQ(retrieval(answer(*server_, "What is embodied AI?")), "lexical")
        << "the old corpus's vectors are not the new one's";
}

TEST_P(embeddings, check_config_asks_the_endpoint_once_and_never_prints_the_key)
{
    server_process good({"check-config"}, env());
    ASSERT_EQ(good.wait_exit(20s), 0) << good.output();
    EXPECT_NE(good.output().find("embeddings: fake-embed, 64 dimensions"), std::string::npos) << good.output();
    EXPECT_EQ(good.output().find("sk-embeddings-secret"), std::string::npos);

    fake_->signal(SIGKILL);
    ASSERT_TRUE(fake_->wait_exit(5s));
    server_process down({"check-config"}, env());
    ASSERT_EQ(down.wait_exit(20s), 0) << "a down endpoint is not a configuration error: " << down.output();
    EXPECT_NE(down.output().find("embeddings endpoint: "), std::string::npos) << down.output();
    EXPECT_NE(down.output().find("answers stay lexical"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(backends, embeddings, ::testing::Values("sqlite", "postgresql"), param_name);
