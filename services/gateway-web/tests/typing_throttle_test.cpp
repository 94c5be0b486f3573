#include "typing_throttle.hpp"

#include <gtest/gtest.h>

namespace switchboard::gateway_web {
namespace {

using namespace std::chrono_literals;

TEST(TypingThrottle, OnePerConversationPerInterval) {
    ManualClock clock;
    TypingThrottle t(3s);
    EXPECT_TRUE(t.Allow("c-1", clock.Now()));
    clock.Advance(1s);
    EXPECT_FALSE(t.Allow("c-1", clock.Now()));
    EXPECT_TRUE(t.Allow("c-2", clock.Now())) << "conversations are throttled separately";
    clock.Advance(1999ms);
    EXPECT_FALSE(t.Allow("c-1", clock.Now()));
    clock.Advance(1ms);
    EXPECT_TRUE(t.Allow("c-1", clock.Now()));
    EXPECT_FALSE(t.Allow("c-1", clock.Now()));
}

TEST(TypingThrottle, ADeniedAttemptDoesNotExtendTheWait) {
    ManualClock clock;
    TypingThrottle t(3s);
    ASSERT_TRUE(t.Allow("c", clock.Now()));
    for (int i = 0; i < 5; ++i) {
        clock.Advance(500ms);
        EXPECT_FALSE(t.Allow("c", clock.Now()));
    }
    clock.Advance(500ms);  // 3 s after the one that was allowed
    EXPECT_TRUE(t.Allow("c", clock.Now()));
}

TEST(TypingThrottle, AClockThatSteppedBackDoesNotSilenceAConversation) {
    ManualClock clock(ManualClock::TimePoint{} + 1h);
    TypingThrottle t(3s);
    ASSERT_TRUE(t.Allow("c", clock.Now()));
    EXPECT_TRUE(t.Allow("c", clock.Now() - 10min));
}

TEST(TypingThrottle, MemoryIsBoundedAndExpiredConversationsMakeRoom) {
    ManualClock clock;
    TypingThrottle t(3s, /*max_tracked=*/2);
    EXPECT_TRUE(t.Allow("a", clock.Now()));
    EXPECT_TRUE(t.Allow("b", clock.Now()));
    EXPECT_FALSE(t.Allow("c", clock.Now())) << "full of recent conversations";
    EXPECT_EQ(t.tracked(), 2u);
    clock.Advance(3s);
    EXPECT_TRUE(t.Allow("c", clock.Now()));
    EXPECT_LE(t.tracked(), 2u);
}

}  // namespace
}  // namespace switchboard::gateway_web
