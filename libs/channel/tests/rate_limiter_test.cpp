#include "switchboard/channel/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace switchboard::channel {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

RateLimiter::Limits Limits(double per_key, double overall, double overall_burst) {
    RateLimiter::Limits l;
    l.per_key_per_second = per_key;
    l.per_key_burst = 1;
    l.overall_per_second = overall;
    l.overall_burst = overall_burst;
    return l;
}

TEST(RateLimiter, OneChatWaitsForItsOwnRateOthersDoNot) {
    RateLimiter limiter(Limits(1, 100, 100));
    const auto t0 = Clock::now();
    EXPECT_EQ(limiter.Reserve("chat-a", t0), 0ms);
    EXPECT_EQ(limiter.Reserve("chat-a", t0), 1000ms);  // ~1 message/s per chat
    EXPECT_EQ(limiter.Reserve("chat-a", t0), 2000ms);  // reservations queue up
    EXPECT_EQ(limiter.Reserve("chat-b", t0), 0ms);
}

TEST(RateLimiter, RefillsWithTime) {
    RateLimiter limiter(Limits(1, 100, 100));
    const auto t0 = Clock::now();
    EXPECT_EQ(limiter.Reserve("chat", t0), 0ms);
    EXPECT_EQ(limiter.Reserve("chat", t0 + 1500ms), 0ms);
    EXPECT_EQ(limiter.Reserve("chat", t0 + 1600ms), 900ms);
}

TEST(RateLimiter, OverallLimitSpansChats) {
    RateLimiter limiter(Limits(1, 2, 2));  // 2/s overall, burst 2
    const auto t0 = Clock::now();
    EXPECT_EQ(limiter.Reserve("a", t0), 0ms);
    EXPECT_EQ(limiter.Reserve("b", t0), 0ms);
    EXPECT_EQ(limiter.Reserve("c", t0), 500ms);
    EXPECT_EQ(limiter.Reserve("d", t0), 1000ms);
}

TEST(RateLimiter, ZeroRateMeansUnlimited) {
    RateLimiter limiter(Limits(0, 0, 0));
    const auto t0 = Clock::now();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Reserve("a", t0), 0ms);
}

}  // namespace
}  // namespace switchboard::channel
