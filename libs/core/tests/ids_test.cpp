#include "switchboard/core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace switchboard {
namespace {

TEST(NewUuid, HasCanonicalVersion4Form) {
    const std::string id = NewUuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
}

TEST(NewUuid, IsUnique) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewUuid()).second);
}

TEST(DerivedId, IsStableAndDependsOnInput) {
    EXPECT_EQ(DerivedId("r-", "m1"), DerivedId("r-", "m1"));
    EXPECT_NE(DerivedId("r-", "m1"), DerivedId("r-", "m2"));
    EXPECT_EQ(DerivedId("r-", "m1").rfind("r-", 0), 0u);
}

TEST(IsValidExternalId, AcceptsSafeRejectsUnsafe) {
    EXPECT_TRUE(IsValidExternalId("conv-1_A:b.c"));
    EXPECT_FALSE(IsValidExternalId(""));
    EXPECT_FALSE(IsValidExternalId("has space"));
    EXPECT_FALSE(IsValidExternalId("slash/x"));
    EXPECT_FALSE(IsValidExternalId(std::string(129, 'a')));
    EXPECT_TRUE(IsValidExternalId(std::string(128, 'a')));
}

}  // namespace
}  // namespace switchboard
