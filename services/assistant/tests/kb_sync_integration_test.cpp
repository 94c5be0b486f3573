// KbSync against the real broker: a TopicReader on kb.articles.v1 of a fresh namespace feeds it,
// exactly as main.cpp wires them.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kb_catalog.hpp"
#include "kb_probe.hpp"
#include "kb_publisher.hpp"
#include "kb_sync.hpp"
#include "kb_test_support.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/kafka/topic_reader.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::assistant {
namespace {

using namespace std::chrono_literals;
using kbtest::MakeArticle;

constexpr auto kWait = 20s;

// One assistant replica's knowledge base: catalog, live index, sync and the topic reader.
class Replica {
public:
    Replica(const events::Naming& naming, KbPublisher& publisher, std::vector<kb::Article> seed)
        : probe_(registry_),
          sync_(catalog_, index_, publisher, std::move(seed), {}, &probe_),
          reader_(kafka::MakeTopicReader(
              {switchboard::testing::KafkaBrokers(), "kb-sync-test", naming.KbArticles(), {}},
              {[this](const kafka::Record& r) { return sync_.OnRecord(r); },
               [this](const std::vector<std::int64_t>& ends) { sync_.OnCaughtUp(ends); }},
              &registry_)) {
        sync_.Start();
        reader_->Start();
    }
    ~Replica() {
        reader_->Stop();
        sync_.Stop();
    }

    KbSync& sync() { return sync_; }
    const kb::LiveIndex& index() const { return index_; }
    const KbCatalog& catalog() const { return catalog_; }

    bool WaitFor(const std::function<bool(const kb::Index&)>& condition) {
        return sync_.WaitIndexed(condition, kWait);
    }

private:
    prometheus::Registry registry_;
    KbProbe probe_;
    KbCatalog catalog_;
    kb::LiveIndex index_{std::make_shared<const kb::Index>(std::vector<kb::Article>{})};
    KbSync sync_;
    std::unique_ptr<kafka::TopicReader> reader_;
};

class KbSyncIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        const Status topics = kafka::EnsureTopics(switchboard::testing::KafkaBrokers(), naming_.AllTopics(6));
        ASSERT_TRUE(topics.ok()) << topics.error().message;
        producer_ = kafka::MakeProducer({switchboard::testing::KafkaBrokers(), "kb-sync-test", {}});
        publisher_ = std::make_unique<KbPublisher>(*producer_, naming_.KbArticles());
    }

    void Publish(const std::vector<ArticleChange>& changes) {
        const Status s = publisher_->Publish(changes);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    events::Naming naming_{switchboard::testing::UniqueNamespace()};
    std::unique_ptr<kafka::Producer> producer_;
    std::unique_ptr<KbPublisher> publisher_;
};

bool Has(const kb::Index& idx, const char* id) { return idx.Find(ArticleId(id)) != nullptr; }

TEST_F(KbSyncIntegration, ArticlesAndTombstonesOnTheTopicReachTheLiveIndex) {
    Publish({ArticleChange::Upsert(MakeArticle("en-pay", {"how can I pay"}, "By card or invoice.")),
             ArticleChange::Upsert(MakeArticle("en-ship", {"do you ship abroad"}, "Yes.")),
             ArticleChange::Upsert(MakeArticle("en-old", {"an outdated question"}, "Outdated."))});
    Publish({ArticleChange::Delete("en-old")});

    // A replica starting now reads it all from the beginning; its seed is ignored (the topic
    // has held records).
    Replica replica(naming_, *publisher_, {MakeArticle("seed-only", {"q"}, "a")});
    ASSERT_TRUE(replica.WaitFor([](const kb::Index& idx) { return idx.size() == 2; }));
    EXPECT_TRUE(replica.sync().Synced());
    EXPECT_TRUE(replica.catalog().synced());
    const auto snapshot = replica.index().Get();
    EXPECT_TRUE(Has(*snapshot, "en-pay"));
    EXPECT_TRUE(Has(*snapshot, "en-ship"));
    EXPECT_FALSE(Has(*snapshot, "en-old"));
    EXPECT_FALSE(Has(*snapshot, "seed-only"));
    EXPECT_EQ(snapshot->Search("how can I pay", 1).front().article->answer, "By card or invoice.");

    // Live: a new article and a delete reach the running replica without a restart.
    Publish({ArticleChange::Upsert(MakeArticle("en-hours", {"when are you open"}, "Around the clock.")),
             ArticleChange::Delete("en-ship")});
    ASSERT_TRUE(
        replica.WaitFor([](const kb::Index& idx) { return Has(idx, "en-hours") && !Has(idx, "en-ship"); }));
    const auto live = replica.index().Get();
    EXPECT_EQ(live->Search("when are you open", 1).front().article->answer, "Around the clock.");
    // The snapshot taken before is untouched by the swap.
    EXPECT_TRUE(Has(*snapshot, "en-ship"));
}

TEST_F(KbSyncIntegration, TheFirstReplicaSeedsAnEmptyTopicAndLaterReplicasReadIt) {
    {
        Replica first(
            naming_, *publisher_,
            {MakeArticle("en-a", {"first seed question"}, "A."), MakeArticle("en-b", {"second"}, "B.")});
        ASSERT_TRUE(first.WaitFor([](const kb::Index& idx) { return idx.size() == 2; }));
    }
    // A replica with another seed file: the topic is the source of truth now.
    Replica second(naming_, *publisher_, {MakeArticle("en-other", {"other"}, "Other.")});
    ASSERT_TRUE(second.WaitFor([](const kb::Index& idx) { return idx.size() == 2; }));
    EXPECT_TRUE(Has(*second.index().Get(), "en-a"));
    EXPECT_FALSE(Has(*second.index().Get(), "en-other"));
    // Seeded articles start at version 1.
    EXPECT_EQ(second.catalog().Find("en-a")->version, 1);
}

}  // namespace
}  // namespace switchboard::assistant
