#include "switchboard/kafka/producer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <string>

#include "test_support.hpp"

namespace switchboard::kafka {
namespace {

using namespace test_support;
using ::testing::HasSubstr;

ProducerConfig LocalProducer() {
    return ProducerConfig{.brokers = Brokers(), .client_id = "kafka-test", .overrides = {}};
}

TEST(Producer, ProduceSyncSucceedsAndReportsHealthy) {
    const std::string topic = NewTopic(3);
    auto producer = MakeProducer(LocalProducer());
    const Status status = producer->ProduceSync(topic, "conv-1", "hello");
    EXPECT_TRUE(status.ok()) << status.error().message;
    EXPECT_TRUE(Eventually([&] { return producer->Healthy(); }, 10s));
}

TEST(Producer, EveryProduceGetsExactlyOneCallback) {
    const std::string topic = NewTopic(3);
    prometheus::Registry registry;
    auto producer = MakeProducer(LocalProducer(), &registry);
    constexpr int kRecords = 200;
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    for (int i = 0; i < kRecords; ++i) {
        producer->Produce(topic, "k" + std::to_string(i % 7), "v" + std::to_string(i),
                          [&](Status s) { (s.ok() ? ok : failed).fetch_add(1); });
    }
    const Status flushed = producer->Flush(20s);
    ASSERT_TRUE(flushed.ok()) << flushed.error().message;
    EXPECT_EQ(ok.load(), kRecords);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(CounterValue(registry, "switchboard_kafka_produced_total", topic, "ok"), kRecords);
    EXPECT_EQ(CounterValue(registry, "switchboard_kafka_produced_total", topic, "error"), 0);
}

TEST(Producer, RecordRefusedLocallyIsReportedThroughTheCallback) {
    const std::string topic = NewTopic(1);
    ProducerConfig config = LocalProducer();
    config.overrides = {{"message.max.bytes", "1000"}};
    auto producer = MakeProducer(config);
    const Status status = producer->ProduceSync(topic, "k", std::string(5000, 'x'));
    ASSERT_FALSE(status.ok());
    EXPECT_FALSE(status.error().retryable) << status.error().message;
    EXPECT_THAT(status.error().message, HasSubstr(topic));
}

TEST(Producer, UnreachableBrokerFailsRetryablyInsteadOfHanging) {
    ProducerConfig config{.brokers = "127.0.0.1:1",
                          .client_id = "kafka-test",
                          .overrides = {{"message.timeout.ms", "1000"}}};
    const auto start = std::chrono::steady_clock::now();
    {
        auto producer = MakeProducer(config);
        const Status status = producer->ProduceSync(UniqueName("test"), "k", "v", 10s);
        ASSERT_FALSE(status.ok());
        EXPECT_TRUE(status.error().retryable) << status.error().message;
        EXPECT_FALSE(producer->Healthy());
    }
    // Delivery failed after ~1 s and shutdown had nothing left to flush.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
}

TEST(Producer, DestructorDeliversWhatIsQueued) {
    const std::string topic = NewTopic(1);
    std::atomic<int> ok{0};
    {
        auto producer = MakeProducer(LocalProducer());
        for (int i = 0; i < 50; ++i) {
            producer->Produce(topic, "k", "v", [&](Status s) {
                if (s.ok()) ok.fetch_add(1);
            });
        }
    }
    EXPECT_EQ(ok.load(), 50);
}

}  // namespace
}  // namespace switchboard::kafka
