#include "switchboard/kafka/topic_reader.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/kafka/producer.hpp"
#include "test_support.hpp"

namespace switchboard::kafka {
namespace {

using namespace test_support;

TopicReaderConfig ReaderFor(const std::string& topic) {
    TopicReaderConfig config;
    config.brokers = Brokers();
    config.client_id = "kafka-test";
    config.topic = topic;
    return config;
}

class TopicReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        producer_ = MakeProducer({.brokers = Brokers(), .client_id = "kafka-test", .overrides = {}});
    }

    void Produce(const std::string& topic, const std::string& key, std::string_view value) {
        const Status status = producer_->ProduceSync(topic, key, value);
        ASSERT_TRUE(status.ok()) << status.error().message;
    }

    std::unique_ptr<Producer> producer_;
};

// What the callbacks saw; the end offsets once caught up.
struct Observed {
    Seen records;
    std::mutex mu;
    std::vector<std::int64_t> end_offsets;
    std::atomic<int> caught_up_calls{0};

    TopicReader::Callbacks Callbacks() {
        return {[this](const Record& r) {
                    records.Add(r);
                    return Status::Ok();
                },
                [this](const std::vector<std::int64_t>& ends) {
                    std::lock_guard lock(mu);
                    end_offsets = ends;
                    ++caught_up_calls;
                }};
    }
};

TEST_F(TopicReaderTest, EveryReaderSeesEveryRecordFromTheBeginningAndThenCatchesUp) {
    const std::string topic = NewTopic(3);
    for (int i = 0; i < 9; ++i) Produce(topic, "k" + std::to_string(i), "v" + std::to_string(i));
    Produce(topic, "k0", std::string_view());  // a tombstone

    prometheus::Registry registry;
    Observed first;
    Observed second;
    auto a = MakeTopicReader(ReaderFor(topic), first.Callbacks(), &registry);
    auto b = MakeTopicReader(ReaderFor(topic), second.Callbacks());
    EXPECT_FALSE(a->CaughtUp());
    a->Start();
    b->Start();
    ASSERT_TRUE(Eventually([&] { return a->CaughtUp() && b->CaughtUp(); }));
    // Caught up means everything written before was handed over.
    EXPECT_EQ(first.records.Snapshot().size(), 10u);
    EXPECT_EQ(second.records.Snapshot().size(), 10u);
    EXPECT_TRUE(a->Healthy());
    {
        std::lock_guard lock(first.mu);
        ASSERT_EQ(first.end_offsets.size(), 3u);
        std::int64_t total = 0;
        for (std::int64_t end : first.end_offsets) total += end;
        EXPECT_EQ(total, 10);
    }
    bool saw_tombstone = false;
    for (const Record& r : first.records.Snapshot()) saw_tombstone |= r.key == "k0" && r.value_is_null;
    EXPECT_TRUE(saw_tombstone);

    // Later records keep arriving; caught-up is reported once.
    Produce(topic, "k1", "v1-again");
    ASSERT_TRUE(first.records.WaitForCount(11));
    EXPECT_EQ(first.caught_up_calls.load(), 1);
    // The counter moves just after the handler returns: wait for it rather than race it.
    EXPECT_TRUE(Eventually([&] { return CounterValue(registry, "switchboard_kafka_consumed_total", topic, "ok") == 11; }))
        << CounterValue(registry, "switchboard_kafka_consumed_total", topic, "ok");
    a->Stop();
    b->Stop();
    EXPECT_FALSE(a->Healthy());
}

TEST_F(TopicReaderTest, EmptyTopicIsCaughtUpWithZeroEndOffsets) {
    const std::string topic = NewTopic(2);
    Observed seen;
    auto reader = MakeTopicReader(ReaderFor(topic), seen.Callbacks());
    reader->Start();
    ASSERT_TRUE(Eventually([&] { return reader->CaughtUp(); }));
    std::lock_guard lock(seen.mu);
    EXPECT_EQ(seen.end_offsets, (std::vector<std::int64_t>{0, 0}));
}

TEST_F(TopicReaderTest, MissingTopicIsRetriedUntilItExists) {
    const std::string topic = UniqueName("test");
    Observed seen;
    auto reader = MakeTopicReader(ReaderFor(topic), seen.Callbacks());
    reader->Start();
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(reader->Healthy());
    EXPECT_FALSE(reader->CaughtUp());
    ASSERT_TRUE(EnsureTopics(Brokers(), {Spec(topic, 1)}).ok());
    Produce(topic, "k", "v");
    ASSERT_TRUE(Eventually([&] { return reader->CaughtUp(); }));
    EXPECT_TRUE(seen.records.WaitForCount(1));
    EXPECT_TRUE(reader->Healthy());
}

TEST(TopicReader, RejectsBadConfigurationAndStopsWithoutStart) {
    TopicReader::Callbacks callbacks{[](const Record&) { return Status::Ok(); }, nullptr};
    EXPECT_THROW(MakeTopicReader({"", "c", "t", {}}, callbacks), std::runtime_error);
    EXPECT_THROW(MakeTopicReader({Brokers(), "c", "", {}}, callbacks), std::runtime_error);
    EXPECT_THROW(MakeTopicReader({Brokers(), "c", "t", {{"no.such.property", "1"}}}, callbacks),
                 std::runtime_error);
    EXPECT_THROW(MakeTopicReader({Brokers(), "c", "t", {}}, {}), std::runtime_error);
    auto reader = MakeTopicReader({Brokers(), "c", "t", {}}, callbacks);
    reader->Stop();
    EXPECT_FALSE(reader->Healthy());
}

}  // namespace
}  // namespace switchboard::kafka
