// Integration: the first-response bookkeeping against a real Redis, in every arrival order.
#include "measurement_store.hpp"

#include <gtest/gtest.h>

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
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<MeasurementStore> store_;
    const ConversationId conv_{"c1"};
};

TEST_F(MeasurementStoreTest, MessageThenReplyMeasuresOnce) {
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 1000).value().has_value());
    auto fr = store_->RecordReply(conv_, 1400, "bot").value();
    ASSERT_TRUE(fr.has_value());
    EXPECT_EQ(fr->first_message_ms, 1000);
    EXPECT_EQ(fr->first_reply_ms, 1400);
    EXPECT_EQ(fr->responder, "bot");
    EXPECT_FALSE(store_->RecordReply(conv_, 1500, "operator").value().has_value()) << "only the first reply";
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 1600).value().has_value());
}

TEST_F(MeasurementStoreTest, ReplyReadBeforeTheMessageStillMeasures) {
    EXPECT_FALSE(store_->RecordReply(conv_, 1400, "bot").value().has_value());
    auto fr = store_->RecordCustomerMessage(conv_, 1000).value();
    ASSERT_TRUE(fr.has_value());
    EXPECT_EQ(fr->first_reply_ms - fr->first_message_ms, 400);
}

// The events topic ran ahead: reply and resolution were read before the message.
TEST_F(MeasurementStoreTest, CycleEndedBeforeItsMessageWasReadIsCompletedByIt) {
    EXPECT_FALSE(store_->RecordReply(conv_, 1400, "bot").value().has_value());
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    auto late = store_->RecordCustomerMessage(conv_, 1000).value();
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->first_reply_ms - late->first_message_ms, 400);
    // And the next cycle starts clean.
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 5000).value().has_value());
    auto next = store_->RecordReply(conv_, 5200, "operator").value();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->first_message_ms, 5000);
    EXPECT_EQ(next->responder, "operator");
}

// The resolution was read before the reply (an operator resolving right after replying).
TEST_F(MeasurementStoreTest, ReplyReadAfterTheCycleEndedStillMeasures) {
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 1000).value().has_value());
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    auto late = store_->RecordReply(conv_, 1400, "operator").value();
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->first_reply_ms - late->first_message_ms, 400);
    EXPECT_EQ(late->responder, "operator");
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 5000).value().has_value()) << "a new cycle";
    auto next = store_->RecordReply(conv_, 5100, "bot").value();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->first_message_ms, 5000);
}

TEST_F(MeasurementStoreTest, EndedCycleWithoutReplyIsForgotten) {
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 1000).value().has_value());
    ASSERT_TRUE(store_->EndCycle(conv_).ok());
    EXPECT_FALSE(store_->RecordCustomerMessage(conv_, 9000).value().has_value());
    auto fr = store_->RecordReply(conv_, 9300, "bot").value();
    ASSERT_TRUE(fr.has_value());
    EXPECT_EQ(fr->first_message_ms, 9000) << "the new cycle's message, not the abandoned one";
}

}  // namespace
}  // namespace switchboard::metrics
