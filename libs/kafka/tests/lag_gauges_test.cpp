#include "lag_gauges.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

namespace switchboard::kafka {
namespace {

double Lag(prometheus::Registry& registry, const std::string& topic, const std::string& partition) {
    for (const auto& family : registry.Collect()) {
        if (family.name != "switchboard_kafka_consumer_lag") continue;
        for (const auto& m : family.metric) {
            std::map<std::string, std::string> labels;
            for (const auto& l : m.label) labels[l.name] = l.value;
            if (labels["topic"] == topic && labels["partition"] == partition && labels["group"] == "g1") {
                return m.gauge.value;
            }
        }
    }
    return -1;
}

TEST(LagGauges, ReadsConsumerLagPerPartitionFromLibrdkafkaStatistics) {
    prometheus::Registry registry;
    LagGauges lag(&registry, "g1");
    // The shape of librdkafka's statistics JSON (STATISTICS.md), trimmed.
    ASSERT_TRUE(lag.Update(R"({"name":"c#consumer-1","type":"consumer","topics":{
        "chat.inbound.v1":{"topic":"chat.inbound.v1","partitions":{
            "0":{"partition":0,"consumer_lag":42,"hi_offset":100},
            "1":{"partition":1,"consumer_lag":-1},
            "-1":{"partition":-1,"consumer_lag":-1}}}}})"));
    EXPECT_EQ(Lag(registry, "chat.inbound.v1", "0"), 42);
    EXPECT_EQ(Lag(registry, "chat.inbound.v1", "1"), -1);  // unknown lag is not exported
    EXPECT_EQ(Lag(registry, "chat.inbound.v1", "-1"), -1);
    ASSERT_TRUE(lag.Update(R"({"topics":{"chat.inbound.v1":{"partitions":{"0":{"consumer_lag":0}}}}})"));
    EXPECT_EQ(Lag(registry, "chat.inbound.v1", "0"), 0);
}

TEST(LagGauges, ARevokedPartitionStopsReporting) {
    prometheus::Registry registry;
    LagGauges lag(&registry, "g1");
    ASSERT_TRUE(lag.Update(R"({"topics":{"t":{"partitions":{"0":{"consumer_lag":7},"1":{"consumer_lag":9}}}}})"));
    EXPECT_EQ(Lag(registry, "t", "1"), 9);
    // A rebalance gave partition 1 to another member.
    ASSERT_TRUE(lag.Update(R"({"topics":{"t":{"partitions":{"0":{"consumer_lag":3}}}}})"));
    EXPECT_EQ(Lag(registry, "t", "0"), 3);
    EXPECT_EQ(Lag(registry, "t", "1"), -1);
}

TEST(LagGauges, IgnoresMalformedStatistics) {
    prometheus::Registry registry;
    LagGauges lag(&registry, "g1");
    EXPECT_FALSE(lag.Update("not json"));
    EXPECT_TRUE(lag.Update(R"({"topics":[1,2]})"));
    EXPECT_TRUE(lag.Update(R"({"topics":{"t":{"partitions":{"0":{"consumer_lag":"x"}}}}})"));
    EXPECT_EQ(Lag(registry, "t", "0"), -1);
}

}  // namespace
}  // namespace switchboard::kafka
