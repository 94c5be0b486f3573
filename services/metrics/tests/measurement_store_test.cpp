// Integration: the cycle bookkeeping against a real Redis, in every arrival order.
#include "measurement_store.hpp"

#include <gtest/gtest.h>

#include <map>

#include "switchboard/testing/environment.hpp"

namespace switchboard::metrics {
namespace {

class MeasurementStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        redis::ClientConfig cfg;
        cfg.host = testing::RedisHost();
        cfg.port = testing::RedisPort();
        redis_ = redis::MakeClient(cfg);
        ASSERT_TRUE(redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        store_ = std::make_unique<MeasurementStore>(*redis_, "sb:" + testing::UniqueNamespace() + ":");
    }

    // name → milliseconds, for the intervals this mark completed.
    std::map<std::string, std::int64_t> Rec(Mark m, std::int64_t at) {
        auto r = store_->Record(conv_, m, at);
        EXPECT_TRUE(r.ok());
        std::map<std::string, std::int64_t> out;
        if (r.ok()) {
            for (const auto& x : *r) out[x.name] = x.to_ms - x.from_ms;
        }
        return out;
    }

    using M = std::map<std::string, std::int64_t>;
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<MeasurementStore> store_;
    const ConversationId conv_{"c1"};
};

TEST_F(MeasurementStoreTest, BotAnswerMeasuresAnyAndBotOnce) {
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), M{});
    EXPECT_EQ(Rec(Mark::kBotReply, 1400), (M{{"first_response_any", 400}, {"first_response_bot", 400}}));
    EXPECT_EQ(Rec(Mark::kBotReply, 1500), M{}) << "only the first reply";
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1600), M{}) << "not a new cycle until resolved";
}

TEST_F(MeasurementStoreTest, HandoffToAHumanMeasuresQueueWaitAndOperatorResponse) {
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), M{});
    EXPECT_EQ(Rec(Mark::kHandoff, 1100), M{});
    EXPECT_EQ(Rec(Mark::kAssigned, 4100), (M{{"queue_wait", 3000}}));
    EXPECT_EQ(Rec(Mark::kOperatorReply, 9100),
              (M{{"first_response_any", 8100}, {"first_response_operator", 8100}, {"operator_response", 5000}}));
}

TEST_F(MeasurementStoreTest, ReplyReadBeforeTheMessageStillMeasures) {
    EXPECT_EQ(Rec(Mark::kBotReply, 1400), M{});
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), (M{{"first_response_any", 400}, {"first_response_bot", 400}}));
}

TEST_F(MeasurementStoreTest, AnyIsTheEarliestReplyWhateverTheReadingOrder) {
    EXPECT_EQ(Rec(Mark::kOperatorReply, 3000), M{});
    EXPECT_EQ(Rec(Mark::kBotReply, 1500), M{});
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000),
              (M{{"first_response_any", 500}, {"first_response_bot", 500}, {"first_response_operator", 2000}}));
}

// The events topic ran ahead: reply and resolution were read before the message.
TEST_F(MeasurementStoreTest, CycleEndedBeforeItsMessageWasReadIsCompletedByIt) {
    EXPECT_EQ(Rec(Mark::kBotReply, 1400), M{});
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), (M{{"first_response_any", 400}, {"first_response_bot", 400}}));
    // And the next cycle starts clean.
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 5000), M{});
    EXPECT_EQ(Rec(Mark::kOperatorReply, 5200), (M{{"first_response_any", 200}, {"first_response_operator", 200}}));
}

// The resolution was read before the reply (an operator resolving right after replying).
TEST_F(MeasurementStoreTest, ReplyReadAfterTheCycleEndedStillMeasures) {
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), M{});
    EXPECT_EQ(Rec(Mark::kAssigned, 1100), M{});
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    EXPECT_EQ(Rec(Mark::kOperatorReply, 1400),
              (M{{"first_response_any", 400}, {"first_response_operator", 400}, {"operator_response", 300}}));
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 5000), M{}) << "a new cycle";
    EXPECT_EQ(Rec(Mark::kBotReply, 5100), (M{{"first_response_any", 100}, {"first_response_bot", 100}}));
}

// The next cycle's reply was read before its message, on a cycle that had ended complete.
TEST_F(MeasurementStoreTest, NextCyclesReplyReadFirstStartsTheNextCycle) {
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), M{});
    EXPECT_EQ(Rec(Mark::kBotReply, 1200).size(), 2u);
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    EXPECT_EQ(Rec(Mark::kBotReply, 9300), M{});
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 9000), (M{{"first_response_any", 300}, {"first_response_bot", 300}}));
}

TEST_F(MeasurementStoreTest, EndedCycleWithoutReplyIsReplacedByTheNextMessage) {
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 1000), M{});
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    EXPECT_EQ(Rec(Mark::kCustomerMessage, 9000), M{});
    EXPECT_EQ(Rec(Mark::kBotReply, 9300), (M{{"first_response_any", 300}, {"first_response_bot", 300}}))
        << "the new cycle's message, not the abandoned one";
}

TEST_F(MeasurementStoreTest, FirstSightIsTrueOnce) {
    EXPECT_TRUE(store_->FirstSight("e-1").value());
    EXPECT_FALSE(store_->FirstSight("e-1").value());
}

}  // namespace
}  // namespace switchboard::metrics
