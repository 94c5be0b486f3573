#include "switchboard/log/log.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace switchboard::log {
namespace {

TEST(JsonEscape, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(JsonEscape("plain"), "plain");
    EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
    EXPECT_EQ(JsonEscape("l1\nl2\t"), "l1\\nl2\\t");
    EXPECT_EQ(JsonEscape(std::string("\x01", 1)), "\\u0001");
    EXPECT_EQ(JsonEscape("привет"), "привет");
}

TEST(Init, RejectsUnknownLevel) {
    EXPECT_THROW(Init("t", "loud"), std::invalid_argument);
    EXPECT_NO_THROW(Init("t", "debug"));
}

}  // namespace
}  // namespace switchboard::log
