// InboundLedger and DeliveryLedger on the real Redis.
#include <gtest/gtest.h>

#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::channel {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<redis::Client> Redis() {
    redis::ClientConfig c;
    c.host = testing::RedisHost();
    c.port = testing::RedisPort();
    return redis::MakeClient(c);
}

TEST(InboundLedger, ClaimAcceptThenDuplicate) {
    auto redis = Redis();
    InboundLedger ledger(*redis, testing::UniqueNamespace() + ":", "telegram");
    ASSERT_EQ(*ledger.TryClaim("42"), InboundLedger::Claim::kNew);
    EXPECT_EQ(*ledger.TryClaim("42"), InboundLedger::Claim::kInFlight);  // a concurrent retry
    ASSERT_TRUE(ledger.Accept("42").ok());
    EXPECT_EQ(*ledger.TryClaim("42"), InboundLedger::Claim::kDuplicate);
    EXPECT_EQ(*ledger.TryClaim("43"), InboundLedger::Claim::kNew);
}

TEST(InboundLedger, ReleaseLetsTheRetryIn) {
    auto redis = Redis();
    InboundLedger ledger(*redis, testing::UniqueNamespace() + ":", "telegram");
    ASSERT_EQ(*ledger.TryClaim("7"), InboundLedger::Claim::kNew);
    ASSERT_TRUE(ledger.Release("7").ok());
    EXPECT_EQ(*ledger.TryClaim("7"), InboundLedger::Claim::kNew);
    ASSERT_TRUE(ledger.Accept("7").ok());
    ASSERT_TRUE(ledger.Release("7").ok());  // never forgets an accepted id
    EXPECT_EQ(*ledger.TryClaim("7"), InboundLedger::Claim::kDuplicate);
}

TEST(InboundLedger, ChannelsDoNotCollide) {
    auto redis = Redis();
    const std::string prefix = testing::UniqueNamespace() + ":";
    InboundLedger telegram(*redis, prefix, "telegram");
    InboundLedger whatsapp(*redis, prefix, "whatsapp");
    ASSERT_EQ(*telegram.TryClaim("1"), InboundLedger::Claim::kNew);
    EXPECT_EQ(*whatsapp.TryClaim("1"), InboundLedger::Claim::kNew);
}

TEST(DeliveryLedger, LifecycleOfAReply) {
    auto redis = Redis();
    DeliveryLedger ledger(*redis, testing::UniqueNamespace() + ":", "telegram");
    EXPECT_EQ(ledger.Begin("r1", 60s)->state, DeliveryLedger::State::kClaimed);
    EXPECT_EQ(ledger.Begin("r1", 60s)->state, DeliveryLedger::State::kSending);
    ASSERT_TRUE(ledger.MarkDelivered("r1", "555").ok());
    auto e = ledger.Begin("r1", 60s);
    EXPECT_EQ(e->state, DeliveryLedger::State::kDelivered);
    EXPECT_EQ(e->platform_message_id, "555");
    EXPECT_EQ(*ledger.ReplyForPlatformId("555"), "r1");
    EXPECT_EQ(*ledger.ReplyForPlatformId("556"), "");
    ASSERT_TRUE(ledger.MarkReported("r1").ok());
    EXPECT_EQ(ledger.Begin("r1", 60s)->state, DeliveryLedger::State::kReported);
}

TEST(DeliveryLedger, AnExpiredLeaseIsAbandonedNotResent) {
    auto redis = Redis();
    DeliveryLedger ledger(*redis, testing::UniqueNamespace() + ":", "whatsapp");
    EXPECT_EQ(ledger.Begin("r2", 0s)->state, DeliveryLedger::State::kClaimed);
    EXPECT_EQ(ledger.Begin("r2", 60s)->state, DeliveryLedger::State::kAbandoned);
}

TEST(DeliveryLedger, ReleasedLeaseIsClaimedAgainButFailuresStay) {
    auto redis = Redis();
    DeliveryLedger ledger(*redis, testing::UniqueNamespace() + ":", "email");
    EXPECT_EQ(ledger.Begin("r3", 60s)->state, DeliveryLedger::State::kClaimed);
    ASSERT_TRUE(ledger.Release("r3").ok());
    EXPECT_EQ(ledger.Begin("r3", 60s)->state, DeliveryLedger::State::kClaimed);
    ASSERT_TRUE(ledger.MarkFailed("r3", "rejected", "403 Forbidden: bot was blocked by the user").ok());
    ASSERT_TRUE(ledger.Release("r3").ok());  // only a lease is released
    auto e = ledger.Begin("r3", 60s);
    EXPECT_EQ(e->state, DeliveryLedger::State::kFailed);
    EXPECT_EQ(e->detail, "rejected\n403 Forbidden: bot was blocked by the user");
}

}  // namespace
}  // namespace switchboard::channel
