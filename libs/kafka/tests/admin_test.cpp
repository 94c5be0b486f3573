#include "switchboard/kafka/admin.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "test_support.hpp"

namespace switchboard::kafka {
namespace {

using namespace test_support;
using ::testing::HasSubstr;

TEST(EnsureTopics, CreatesAndIsIdempotent) {
    TopicSpec compacted = Spec(UniqueName("test"), 1);
    compacted.configs = {{"cleanup.policy", "compact"}};
    const std::vector<TopicSpec> specs{Spec(UniqueName("test"), 3), compacted};
    const Status first = EnsureTopics(Brokers(), specs);
    ASSERT_TRUE(first.ok()) << first.error().message;
    const Status second = EnsureTopics(Brokers(), specs);
    EXPECT_TRUE(second.ok()) << second.error().message;

    // A mix of existing and new topics: only the new one is created.
    std::vector<TopicSpec> mixed = specs;
    mixed.push_back(Spec(UniqueName("test"), 2));
    const Status third = EnsureTopics(Brokers(), mixed);
    EXPECT_TRUE(third.ok()) << third.error().message;
}

TEST(EnsureTopics, ImpossibleReplicationIsNotRetryable) {
    const std::string name = UniqueName("test");
    TopicSpec spec = Spec(name, 1);
    spec.replication_factor = 3;
    const Status status = EnsureTopics(Brokers(), {spec});
    ASSERT_FALSE(status.ok());
    EXPECT_FALSE(status.error().retryable) << status.error().message;
    EXPECT_THAT(status.error().message, HasSubstr(name));
}

TEST(EnsureTopics, UnreachableBrokerTimesOutRetryably) {
    const auto start = std::chrono::steady_clock::now();
    const Status status =
        EnsureTopics("127.0.0.1:1", {Spec(UniqueName("test"))}, std::chrono::seconds(1));
    ASSERT_FALSE(status.ok());
    EXPECT_TRUE(status.error().retryable) << status.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(DeleteTopics, DeletesAndToleratesMissingTopics) {
    const std::string name = UniqueName("test");
    ASSERT_TRUE(EnsureTopics(Brokers(), {Spec(name, 2)}).ok());
    const Status deleted = DeleteTopics(Brokers(), {name, UniqueName("never-created")});
    ASSERT_TRUE(deleted.ok()) << deleted.error().message;
    const Status again = DeleteTopics(Brokers(), {name});  // already gone: still fine
    EXPECT_TRUE(again.ok()) << again.error().message;
    const Status unreachable = DeleteTopics("127.0.0.1:1", {name}, std::chrono::seconds(1));
    ASSERT_FALSE(unreachable.ok());
    EXPECT_TRUE(unreachable.error().retryable) << unreachable.error().message;
}

}  // namespace
}  // namespace switchboard::kafka
