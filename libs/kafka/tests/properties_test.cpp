#include "properties.hpp"

#include "switchboard/kafka/admin.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <stdexcept>
#include <string>

namespace switchboard::kafka {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

// The value librdkafka would end up with: the last entry for `name` wins.
std::string Effective(const Properties& properties, const std::string& name) {
    std::string value;
    for (const auto& [n, v] : properties) {
        if (n == name) value = v;
    }
    return value;
}

TEST(ProducerProperties, SetsLatencyAndSafetyDefaults) {
    const Properties p = ProducerProperties({.brokers = "b:9092", .client_id = "gw", .overrides = {}});
    EXPECT_EQ(Effective(p, "bootstrap.servers"), "b:9092");
    EXPECT_EQ(Effective(p, "client.id"), "gw");
    EXPECT_EQ(Effective(p, "enable.idempotence"), "true");
    EXPECT_EQ(Effective(p, "socket.nagle.disable"), "true");
    EXPECT_EQ(Effective(p, "linger.ms"), "1");
}

TEST(ProducerProperties, OverridesComeLastAndWin) {
    const Properties p =
        ProducerProperties({.brokers = "b:9092", .client_id = "", .overrides = {{"linger.ms", "0"}}});
    EXPECT_EQ(Effective(p, "linger.ms"), "0");
    EXPECT_EQ(p.back(), (std::pair<std::string, std::string>{"linger.ms", "0"}));
    EXPECT_EQ(Effective(p, "client.id"), "switchboard");
}

TEST(ProducerProperties, RejectsMissingBrokers) {
    EXPECT_THROW(ProducerProperties({}), std::runtime_error);
}

ConsumerConfig ValidConsumer() {
    ConsumerConfig c;
    c.brokers = "b:9092";
    c.group_id = "routing";
    c.topics = {"inbound"};
    return c;
}

TEST(ConsumerProperties, StoresOffsetsOnlyAfterTheHandler) {
    const Properties p = ConsumerProperties(ValidConsumer());
    EXPECT_EQ(Effective(p, "group.id"), "routing");
    EXPECT_EQ(Effective(p, "enable.auto.commit"), "true");
    EXPECT_EQ(Effective(p, "enable.auto.offset.store"), "false");
    EXPECT_EQ(Effective(p, "auto.commit.interval.ms"), "500");
    EXPECT_EQ(Effective(p, "auto.offset.reset"), "earliest");
    EXPECT_EQ(Effective(p, "fetch.wait.max.ms"), "10");
    EXPECT_EQ(Effective(p, "socket.nagle.disable"), "true");
}

TEST(ConsumerProperties, AppliesOffsetResetAndOverrides) {
    ConsumerConfig c = ValidConsumer();
    c.auto_offset_reset = "latest";
    c.overrides = {{"session.timeout.ms", "6000"}};
    const Properties p = ConsumerProperties(c);
    EXPECT_EQ(Effective(p, "auto.offset.reset"), "latest");
    EXPECT_EQ(Effective(p, "session.timeout.ms"), "6000");
}

TEST(ConsumerProperties, RejectsWhatCanNeverWork) {
    ConsumerConfig no_group = ValidConsumer();
    no_group.group_id.clear();
    EXPECT_THROW(ConsumerProperties(no_group), std::runtime_error);
    ConsumerConfig no_topics = ValidConsumer();
    no_topics.topics.clear();
    EXPECT_THROW(ConsumerProperties(no_topics), std::runtime_error);
    ConsumerConfig empty_topic = ValidConsumer();
    empty_topic.topics = {"a", ""};
    EXPECT_THROW(ConsumerProperties(empty_topic), std::runtime_error);
    ConsumerConfig no_brokers = ValidConsumer();
    no_brokers.brokers.clear();
    EXPECT_THROW(ConsumerProperties(no_brokers), std::runtime_error);
}

TEST(MakeConf, NamesTheUnknownProperty) {
    try {
        MakeConf({{"linger.ms", "1"}, {"no.such.property", "x"}}, "kafka producer");
        FAIL() << "expected a throw";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("no.such.property"));
        EXPECT_THAT(e.what(), HasSubstr("kafka producer"));
    }
}

TEST(MakeConf, ShowsTheBadValueButNeverASecret) {
    try {
        MakeConf({{"linger.ms", "soon"}}, "kafka producer");
        FAIL() << "expected a throw";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("linger.ms=soon"));
    }
    EXPECT_EQ(Printable("sasl.password", "hunter2"), "<redacted>");
    EXPECT_EQ(Printable("ssl.key.password", "hunter2"), "<redacted>");
    EXPECT_EQ(Printable("linger.ms", "1"), "1");
}

TEST(MakeConf, AcceptsAllDefaults) {
    EXPECT_NE(MakeConf(ProducerProperties({.brokers = "b:1", .client_id = "", .overrides = {}}), "p"),
              nullptr);
    EXPECT_NE(MakeConf(ConsumerProperties(ValidConsumer()), "c"), nullptr);
}

// Configuration errors surface from the factories, before any thread or connection exists.
TEST(MakeProducer, ThrowsOnUnknownOverride) {
    ProducerConfig c{.brokers = "127.0.0.1:1", .client_id = "t", .overrides = {{"lingerr.ms", "1"}}};
    EXPECT_THROW(MakeProducer(c), std::runtime_error);
}

TEST(MakeProducer, ThrowsOnSettingsThatContradictIdempotence) {
    ProducerConfig c{.brokers = "127.0.0.1:1", .client_id = "t", .overrides = {{"acks", "1"}}};
    EXPECT_THROW(MakeProducer(c), std::runtime_error);
}

TEST(MakeConsumer, ThrowsWithoutHandlerOrGroup) {
    EXPECT_THROW(MakeConsumer(ValidConsumer(), nullptr), std::runtime_error);
    ConsumerConfig no_group = ValidConsumer();
    no_group.group_id.clear();
    EXPECT_THROW(MakeConsumer(no_group, [](const Record&) { return Status::Ok(); }),
                 std::runtime_error);
}

// Specs that can never be created fail before any connection is made.
TEST(EnsureTopics, RejectsInvalidSpecsWithoutConnecting) {
    EXPECT_TRUE(EnsureTopics("", {}).ok());
    TopicSpec spec;
    spec.name = "t";
    const Status no_brokers = EnsureTopics("", {spec});
    ASSERT_FALSE(no_brokers.ok());
    EXPECT_FALSE(no_brokers.error().retryable);
    const Status no_name = EnsureTopics("127.0.0.1:1", {TopicSpec{}});
    ASSERT_FALSE(no_name.ok());
    EXPECT_FALSE(no_name.error().retryable);
    spec.partitions = 0;
    const Status no_partitions = EnsureTopics("127.0.0.1:1", {spec});
    ASSERT_FALSE(no_partitions.ok());
    EXPECT_THAT(no_partitions.error().message, HasSubstr("partitions"));
}

}  // namespace
}  // namespace switchboard::kafka
