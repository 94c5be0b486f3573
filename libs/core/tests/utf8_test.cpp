#include "switchboard/core/utf8.hpp"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

TEST(Utf8, EncodesEveryLengthAndTheResultIsValid) {
    std::string s;
    for (char32_t cp : {U'A', U'ё', U'→', U'😀'}) AppendUtf8(s, cp);
    EXPECT_EQ(s, "Aё→😀");
    EXPECT_TRUE(IsValidUtf8(s));
}

TEST(Utf8, InvalidCodePointsBecomeTheReplacementCharacter) {
    std::string s;
    AppendUtf8(s, 0xD800);
    AppendUtf8(s, 0x110000);
    EXPECT_EQ(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8, RejectsOverlongsSurrogatesOutOfRangeAndTruncation) {
    EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
    EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
    EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
    EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
    EXPECT_FALSE(IsValidUtf8("\xFF"));
    EXPECT_TRUE(IsValidUtf8(""));
}

}  // namespace
}  // namespace switchboard
