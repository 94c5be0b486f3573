#include "switchboard/kafka/consumer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/kafka/producer.hpp"
#include "test_support.hpp"

namespace switchboard::kafka {
namespace {

using namespace test_support;

class ConsumerTest : public ::testing::Test {
protected:
    void SetUp() override {
        producer_ = MakeProducer({.brokers = Brokers(), .client_id = "kafka-test", .overrides = {}});
    }

    void Produce(const std::string& topic, const std::string& key, const std::string& value) {
        const Status status = producer_->ProduceSync(topic, key, value);
        ASSERT_TRUE(status.ok()) << status.error().message;
    }

    std::unique_ptr<Producer> producer_;
};

std::vector<std::string> Values(const std::vector<Record>& records) {
    std::vector<std::string> out;
    for (const Record& r : records) out.push_back(r.value);
    return out;
}

TEST_F(ConsumerTest, RoundTripKeepsKeyValueAndPartitionsByKey) {
    const std::string topic = NewTopic(3);
    const std::vector<std::string> keys{"conv-a", "conv-b", "conv-c", "conv-d"};
    constexpr int kPerKey = 5;
    for (int i = 0; i < kPerKey; ++i) {
        for (const auto& key : keys) Produce(topic, key, key + "#" + std::to_string(i));
    }
    Produce(topic, "", "keyless");

    Seen seen;
    auto consumer = MakeConsumer(ConsumerFor(topic, UniqueName("group")), [&](const Record& r) {
        seen.Add(r);
        return Status::Ok();
    });
    consumer->Start();
    const std::size_t total = keys.size() * kPerKey + 1;
    ASSERT_TRUE(seen.WaitForCount(total)) << seen.Snapshot().size() << " of " << total;

    std::map<std::string, std::set<std::int32_t>> partitions_of_key;
    std::map<std::string, std::vector<std::string>> values_of_key;
    for (const Record& r : seen.Snapshot()) {
        EXPECT_EQ(r.topic, topic);
        EXPECT_GT(r.timestamp_ms, 0);
        EXPECT_GE(r.offset, 0);
        partitions_of_key[r.key].insert(r.partition);
        values_of_key[r.key].push_back(r.value);
    }
    for (const auto& key : keys) {
        EXPECT_EQ(partitions_of_key[key].size(), 1u) << key << " spread over partitions";
        std::vector<std::string> expected;
        for (int i = 0; i < kPerKey; ++i) expected.push_back(key + "#" + std::to_string(i));
        EXPECT_EQ(values_of_key[key], expected) << "order within a key";
    }
    EXPECT_EQ(values_of_key[""], std::vector<std::string>{"keyless"});
    consumer->Stop();
}

TEST_F(ConsumerTest, NonRetryableErrorSkipsTheRecord) {
    const std::string topic = NewTopic(1);
    Produce(topic, "k", "poison");
    Produce(topic, "k", "good");

    prometheus::Registry registry;
    Seen seen;
    auto consumer = MakeConsumer(
        ConsumerFor(topic, UniqueName("group")),
        [&](const Record& r) -> Status {
            seen.Add(r);
            if (r.value == "poison") return Error::Fatal("undecodable");
            return Status::Ok();
        },
        &registry);
    consumer->Start();
    ASSERT_TRUE(seen.WaitUntil([](const std::vector<Record>& r) {
        return std::ranges::any_of(r, [](const Record& x) { return x.value == "good"; });
    }));
    // Same partition: "good" comes after "poison", which was handed exactly once.
    EXPECT_EQ(Values(seen.Snapshot()), (std::vector<std::string>{"poison", "good"}));
    consumer->Stop();  // the handler has returned and its outcome is counted
    EXPECT_EQ(CounterValue(registry, "switchboard_kafka_consumed_total", topic, "skipped"), 1);
    EXPECT_EQ(CounterValue(registry, "switchboard_kafka_consumed_total", topic, "ok"), 1);
}

TEST_F(ConsumerTest, RetryableErrorHandsTheSameRecordAgainAfterBackoff) {
    const std::string topic = NewTopic(1);
    Produce(topic, "k", "flaky");
    Produce(topic, "k", "next");

    prometheus::Registry registry;
    Seen seen;
    std::vector<std::chrono::steady_clock::time_point> flaky_at;
    std::mutex mu;
    int failures_left = 2;
    auto consumer = MakeConsumer(
        ConsumerFor(topic, UniqueName("group")),
        [&](const Record& r) -> Status {
            if (r.value == "flaky") {
                std::lock_guard lock(mu);
                flaky_at.push_back(std::chrono::steady_clock::now());
                if (failures_left-- > 0) {
                    seen.Add(r);
                    return Error::Retryable("redis down");
                }
            }
            seen.Add(r);
            return Status::Ok();
        },
        &registry);
    consumer->Start();
    ASSERT_TRUE(seen.WaitForCount(4)) << ::testing::PrintToString(Values(seen.Snapshot()));
    EXPECT_EQ(Values(seen.Snapshot()), (std::vector<std::string>{"flaky", "flaky", "flaky", "next"}));
    const auto records = seen.Snapshot();
    EXPECT_EQ(records[0].offset, records[2].offset) << "the very same record";
    {
        std::lock_guard lock(mu);
        ASSERT_EQ(flaky_at.size(), 3u);
        EXPECT_GE(flaky_at[1] - flaky_at[0], 90ms) << "first backoff ~100 ms";
        EXPECT_GE(flaky_at[2] - flaky_at[1], 190ms) << "second backoff ~200 ms";
    }
    consumer->Stop();
    EXPECT_EQ(CounterValue(registry, "switchboard_kafka_consumed_total", topic, "retried"), 2);
    EXPECT_EQ(CounterValue(registry, "switchboard_kafka_consumed_total", topic, "ok"), 2);
}

TEST_F(ConsumerTest, RetryHoldsBackOnlyItsOwnPartition) {
    const std::string topic = NewTopic(4);
    Produce(topic, "stuck-key", "stuck");
    constexpr int kOthers = 24;
    for (int i = 0; i < kOthers; ++i) Produce(topic, "key-" + std::to_string(i), "other");

    std::atomic<bool> release{false};
    Seen seen;  // successful handlings only, in order
    std::atomic<int> stuck_attempts{0};
    auto consumer = MakeConsumer(ConsumerFor(topic, UniqueName("group")), [&](const Record& r) -> Status {
        if (r.value == "stuck" && !release.load()) {
            stuck_attempts.fetch_add(1);
            return Error::Retryable("not yet");
        }
        seen.Add(r);
        return Status::Ok();
    });
    consumer->Start();

    // While "stuck" keeps failing, records of the other partitions are handled.
    ASSERT_TRUE(Eventually([&] { return stuck_attempts.load() >= 2; }));
    std::int32_t stuck_partition = -1;
    // Keys over 4 partitions: some "other" record is certainly not in the stuck partition.
    ASSERT_TRUE(seen.WaitUntil([](const std::vector<Record>& r) { return !r.empty(); }));
    release.store(true);
    ASSERT_TRUE(seen.WaitForCount(kOthers + 1));

    const auto records = seen.Snapshot();
    std::size_t stuck_index = records.size();
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].value == "stuck") {
            stuck_index = i;
            stuck_partition = records[i].partition;
        }
    }
    ASSERT_LT(stuck_index, records.size());
    bool other_partition_progressed = false;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i == stuck_index) continue;
        if (records[i].partition == stuck_partition) {
            // Later records of the stuck partition waited for it.
            EXPECT_GT(i, stuck_index) << "offset " << records[i].offset;
        } else if (i < stuck_index) {
            other_partition_progressed = true;
        }
    }
    EXPECT_TRUE(other_partition_progressed);
    consumer->Stop();
    EXPECT_EQ(seen.Snapshot().size(), kOthers + 1u) << "each record handled once";
}

TEST_F(ConsumerTest, StopCommitsHandledOffsets) {
    const std::string topic = NewTopic(1);
    const std::string group = UniqueName("group");
    for (const char* v : {"old-1", "old-2", "old-3"}) Produce(topic, "k", v);

    Seen first;
    auto consumer = MakeConsumer(ConsumerFor(topic, group), [&](const Record& r) {
        first.Add(r);
        return Status::Ok();
    });
    consumer->Start();
    ASSERT_TRUE(first.WaitForCount(3));
    consumer->Stop();  // well within the 500 ms auto-commit: the commit on Stop is what counts

    for (const char* v : {"new-1", "new-2"}) Produce(topic, "k", v);
    Seen second;
    auto again = MakeConsumer(ConsumerFor(topic, group), [&](const Record& r) {
        second.Add(r);
        return Status::Ok();
    });
    again->Start();
    ASSERT_TRUE(second.WaitForCount(2));
    // One partition: had the old offsets not been committed, old-1 would come first.
    EXPECT_EQ(Values(second.Snapshot()), (std::vector<std::string>{"new-1", "new-2"}));
    again->Stop();
}

TEST_F(ConsumerTest, StopInterruptsBackoffAndLeavesTheRecordForLater) {
    const std::string topic = NewTopic(1);
    const std::string group = UniqueName("group");
    Produce(topic, "k", "unlucky");

    std::atomic<int> attempts{0};
    auto consumer = MakeConsumer(ConsumerFor(topic, group), [&](const Record&) -> Status {
        attempts.fetch_add(1);
        return Error::Retryable("still down");
    });
    consumer->Start();
    // After the 5th failure the consumer waits 1600 ms before the next attempt.
    ASSERT_TRUE(Eventually([&] { return attempts.load() >= 5; }));
    const auto stop_started = std::chrono::steady_clock::now();
    consumer->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 1000ms) << "Stop() waited out the backoff";
    const int attempts_at_stop = attempts.load();

    // Never handled, so never committed: the group hands it out again.
    Seen seen;
    auto again = MakeConsumer(ConsumerFor(topic, group), [&](const Record& r) {
        seen.Add(r);
        return Status::Ok();
    });
    again->Start();
    ASSERT_TRUE(seen.WaitForCount(1));
    EXPECT_EQ(seen.Snapshot().front().value, "unlucky");
    again->Stop();
    EXPECT_EQ(attempts.load(), attempts_at_stop) << "no attempt after Stop()";
}

TEST_F(ConsumerTest, HealthyOnceJoinedAndStopIsIdempotent) {
    const std::string topic = NewTopic(1);
    auto consumer = MakeConsumer(ConsumerFor(topic, UniqueName("group")),
                                 [](const Record&) { return Status::Ok(); });
    EXPECT_FALSE(consumer->Healthy());
    consumer->Start();
    EXPECT_TRUE(Eventually([&] { return consumer->Healthy(); }));
    consumer->Stop();
    EXPECT_FALSE(consumer->Healthy());
    consumer->Stop();
}

TEST_F(ConsumerTest, StopWithoutStartIsFine) {
    auto consumer = MakeConsumer(ConsumerFor(UniqueName("test"), UniqueName("group")),
                                 [](const Record&) { return Status::Ok(); });
    consumer->Stop();
    EXPECT_FALSE(consumer->Healthy());
}

TEST_F(ConsumerTest, NullValueIsToldApartFromAnEmptyOne) {
    const std::string topic = NewTopic(1);
    ASSERT_TRUE(producer_->ProduceSync(topic, "tombstone", std::string_view()).ok());
    ASSERT_TRUE(producer_->ProduceSync(topic, "empty", std::string_view("", 0)).ok());
    Produce(topic, "full", "x");

    Seen seen;
    auto consumer = MakeConsumer(ConsumerFor(topic, UniqueName("group")), [&](const Record& r) {
        seen.Add(r);
        return Status::Ok();
    });
    consumer->Start();
    ASSERT_TRUE(seen.WaitForCount(3));
    const std::vector<Record> records = seen.Snapshot();
    EXPECT_EQ(records[0].key, "tombstone");
    EXPECT_TRUE(records[0].value_is_null);
    EXPECT_TRUE(records[0].value.empty());
    EXPECT_EQ(records[1].key, "empty");
    EXPECT_FALSE(records[1].value_is_null);
    EXPECT_TRUE(records[1].value.empty());
    EXPECT_EQ(records[2].value, "x");
    EXPECT_FALSE(records[2].value_is_null);
    consumer->Stop();
}

}  // namespace
}  // namespace switchboard::kafka
