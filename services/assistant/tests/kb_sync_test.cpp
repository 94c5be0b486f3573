#include "kb_sync.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kb_test_support.hpp"

namespace switchboard::assistant {
namespace {

using namespace std::chrono_literals;
using kbtest::LoopbackProducer;
using kbtest::MakeArticle;
using kbtest::Tombstone;
using kbtest::UpsertRecord;

constexpr auto kWait = 5s;

std::vector<kb::Article> Seed() {
    return {MakeArticle("en-reset", {"how do I reset my password"}, "Use the reset link."),
            MakeArticle("en-refund", {"can I get a refund"}, "Within 14 days.")};
}

// Everything a KbSync needs, wired like main.cpp does, minus Kafka.
class KbSyncTest : public ::testing::Test {
protected:
    std::unique_ptr<KbSync> Make(std::vector<kb::Article> seed, KbSync::Options options = {}) {
        KbSync::Hooks hooks;
        hooks.on_synced = [this] { ++synced_calls_; };
        auto sync = std::make_unique<KbSync>(catalog_, index_, publisher_, std::move(seed), options, &probe_,
                                             std::move(hooks));
        sync->Start();
        return sync;
    }

    prometheus::Registry registry_;
    KbProbe probe_{registry_};
    KbCatalog catalog_;
    kb::LiveIndex index_{std::make_shared<const kb::Index>(std::vector<kb::Article>{})};
    LoopbackProducer producer_;
    KbPublisher publisher_{producer_, "kb.articles.v1"};
    std::atomic<int> synced_calls_{0};
};

TEST_F(KbSyncTest, SeedsATopicThatNeverHeldARecordAndIsSyncedOnceItReadsTheSeedBack) {
    auto sync = Make(Seed());
    producer_.sink = [&](const kafka::Record& r) { ASSERT_TRUE(sync->OnRecord(r).ok()); };
    EXPECT_FALSE(sync->Synced());
    sync->OnCaughtUp({0, 0, 0});
    ASSERT_TRUE(sync->WaitIndexed([](const kb::Index& idx) { return idx.size() == 2; }, kWait));
    EXPECT_TRUE(sync->Synced());
    EXPECT_TRUE(catalog_.synced());
    EXPECT_EQ(synced_calls_.load(), 1);
    const auto records = producer_.records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].key, "en-reset");
    kb::v1::Article wire;
    ASSERT_TRUE(wire.ParseFromString(records[0].value));
    EXPECT_EQ(wire.version(), 1);
    EXPECT_EQ(index_.Get()->Search("reset my password", 1).front().article->id.str(), "en-reset");
}

TEST_F(KbSyncTest, TheTopicWinsOverTheSeedOnceItHasEverHeldARecord) {
    auto sync = Make(Seed());
    ASSERT_TRUE(sync->OnRecord(UpsertRecord(MakeArticle("only", {"what is on the topic"}, "This."))).ok());
    ASSERT_TRUE(sync->OnRecord(Tombstone("gone")).ok());
    sync->OnCaughtUp({2, 0});
    ASSERT_TRUE(sync->WaitIndexed([](const kb::Index& idx) { return idx.size() == 1; }, kWait));
    EXPECT_NE(index_.Get()->Find(ArticleId("only")), nullptr);
    EXPECT_TRUE(producer_.records().empty()) << "the seed must not come back";

    // Everything deleted: the end offsets are not 0, so the seed still stays out.
    KbCatalog catalog;
    kb::LiveIndex index(std::make_shared<const kb::Index>(std::vector<kb::Article>{}));
    KbSync other(catalog, index, publisher_, Seed(), {}, nullptr);
    other.Start();
    ASSERT_TRUE(other.OnRecord(UpsertRecord(MakeArticle("x", {"q"}, "a"))).ok());
    ASSERT_TRUE(other.OnRecord(Tombstone("x")).ok());
    other.OnCaughtUp({2});
    ASSERT_TRUE(other.WaitIndexed([](const kb::Index& idx) { return idx.size() == 0; }, kWait));
    EXPECT_TRUE(producer_.records().empty());
}

TEST_F(KbSyncTest, EmptyTopicWithoutSeedIsSyncedAndEmpty) {
    auto sync = Make({});
    sync->OnCaughtUp({0});
    ASSERT_TRUE(sync->WaitIndexed([](const kb::Index& idx) { return idx.size() == 0; }, kWait));
    EXPECT_TRUE(sync->Synced());
}

TEST_F(KbSyncTest, LaterChangesAndTombstonesReachTheIndexWithDebouncedRebuilds) {
    auto sync = Make({}, {.debounce = 200ms, .seed_retry = 1s});
    sync->OnCaughtUp({0});
    ASSERT_TRUE(sync->WaitIndexed([](const kb::Index&) { return true; }, kWait));
    const std::uint64_t before = sync->rebuilds();
    for (int i = 0; i < 50; ++i) {
        const std::string id = "a" + std::to_string(i);
        ASSERT_TRUE(sync->OnRecord(UpsertRecord(MakeArticle(id, {"question " + id}, "answer " + id))).ok());
    }
    ASSERT_TRUE(sync->WaitIndexed([](const kb::Index& idx) { return idx.size() == 50; }, kWait));
    // 50 changes in well under 200 ms: the first one right away, the rest together.
    EXPECT_LE(sync->rebuilds() - before, 3u);

    ASSERT_TRUE(sync->OnRecord(Tombstone("a7")).ok());
    ASSERT_TRUE(
        sync->WaitIndexed([](const kb::Index& idx) { return idx.Find(ArticleId("a7")) == nullptr; }, kWait));
    EXPECT_EQ(index_.Get()->size(), 49u);
    // Records that change nothing (a repeat, a tombstone for nothing) do not make a rebuild due.
    EXPECT_FALSE(*catalog_.Apply(UpsertRecord(MakeArticle("a1", {"question a1"}, "answer a1"))));
    EXPECT_FALSE(*catalog_.Apply(Tombstone("never-existed")));
}

TEST_F(KbSyncTest, UnusableRecordsAreSkippedAndCounted) {
    auto sync = Make({});
    kafka::Record garbage;
    garbage.key = "x";
    garbage.value = "\xff\x00garbage";
    EXPECT_FALSE(sync->OnRecord(garbage).ok());
    kafka::Record empty;
    empty.key = "x";
    EXPECT_FALSE(sync->OnRecord(empty).ok()) << "an empty value is not a tombstone";
    kafka::Record mismatch = UpsertRecord(MakeArticle("a", {"q"}, "A"));
    mismatch.key = "b";
    EXPECT_FALSE(sync->OnRecord(mismatch).ok());
    kafka::Record keyless = UpsertRecord(MakeArticle("a", {"q"}, "A"));
    keyless.key.clear();
    EXPECT_FALSE(sync->OnRecord(keyless).ok());
    EXPECT_EQ(catalog_.size(), 0u);
}

TEST_F(KbSyncTest, AFailedSeedPublishIsRetried) {
    producer_.fail = true;
    auto sync = Make(Seed(), {.debounce = 200ms, .seed_retry = 10ms});
    producer_.sink = [&](const kafka::Record& r) { ASSERT_TRUE(sync->OnRecord(r).ok()); };
    sync->OnCaughtUp({0});
    // Not synced while the seed cannot be written.
    EXPECT_FALSE(sync->WaitIndexed([](const kb::Index&) { return true; }, 100ms));
    EXPECT_GE(producer_.attempts(), 2);
    producer_.fail = false;
    ASSERT_TRUE(sync->WaitIndexed([](const kb::Index& idx) { return idx.size() == 2; }, kWait));
}

TEST_F(KbSyncTest, TheIndexIsBuiltByTheBuildHookWhenGiven) {
    std::atomic<int> built{0};
    KbSync::Hooks hooks;
    hooks.build_index = [&](std::vector<kb::Article> articles) {
        ++built;
        kb::Index::Options options;
        options.word_weight = 1.0;
        return std::make_shared<const kb::Index>(std::move(articles), options);
    };
    KbSync sync(catalog_, index_, publisher_, {}, {}, nullptr, std::move(hooks));
    sync.Start();
    ASSERT_TRUE(sync.OnRecord(UpsertRecord(MakeArticle("a", {"q"}, "A"))).ok());
    sync.OnCaughtUp({1});
    ASSERT_TRUE(sync.WaitIndexed([](const kb::Index& idx) { return idx.size() == 1; }, kWait));
    EXPECT_EQ(built.load(), 1);
}

TEST_F(KbSyncTest, AQuickIndexServesAndCountsAsSyncedWhileTheFullOneBuilds) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::shared_ptr<const kb::Index> quick, full;
    KbSync::Hooks hooks;
    hooks.build_quick_index = [&](const std::vector<kb::Article>& articles) {
        std::lock_guard lock(mu);
        return quick = std::make_shared<const kb::Index>(articles);
    };
    hooks.build_index = [&](std::vector<kb::Article> articles) {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return release; });  // a long training
        return full = std::make_shared<const kb::Index>(std::move(articles));
    };
    hooks.on_synced = [this] { ++synced_calls_; };
    KbSync sync(catalog_, index_, publisher_, {}, {}, nullptr, std::move(hooks));
    sync.Start();
    ASSERT_TRUE(sync.OnRecord(UpsertRecord(MakeArticle("a", {"q"}, "A"))).ok());
    sync.OnCaughtUp({1});
    ASSERT_TRUE(sync.WaitIndexed([](const kb::Index& idx) { return idx.size() == 1; }, kWait))
        << "synced on the quick index, the full one still building";
    EXPECT_EQ(synced_calls_.load(), 1);
    {
        std::lock_guard lock(mu);
        EXPECT_EQ(index_.Get(), quick);
        EXPECT_EQ(full, nullptr);
        release = true;
    }
    cv.notify_all();
    auto is_full = [&](const kb::Index& idx) {
        std::lock_guard lock(mu);
        return &idx == full.get();
    };
    ASSERT_TRUE(sync.WaitIndexed(is_full, kWait));
    EXPECT_EQ(synced_calls_.load(), 1) << "on_synced once";
    // A later change: the quick index again first, then the full one.
    ASSERT_TRUE(sync.OnRecord(UpsertRecord(MakeArticle("b", {"r"}, "B"))).ok());
    ASSERT_TRUE(sync.WaitIndexed([&](const kb::Index& idx) { return idx.size() == 2 && is_full(idx); }, kWait));
}

}  // namespace
}  // namespace switchboard::assistant
