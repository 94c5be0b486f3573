#include <gtest/gtest.h>

#include "switchboard/redis/client.hpp"

namespace switchboard::redis {
namespace {

TEST(Script, Sha1IsLowercaseHexOfTheSource) {
    // Reference values from `printf ... | sha1sum` and Redis' own SCRIPT LOAD.
    EXPECT_EQ(Script("return 1").sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    EXPECT_EQ(Script("").sha1(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(Script, KeepsSource) {
    const Script s("return redis.call('GET', KEYS[1])");
    EXPECT_EQ(s.source(), "return redis.call('GET', KEYS[1])");
    EXPECT_EQ(s.sha1().size(), 40U);
}

}  // namespace
}  // namespace switchboard::redis
