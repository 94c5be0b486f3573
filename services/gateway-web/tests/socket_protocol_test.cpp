#include "socket_protocol.hpp"

#include <gtest/gtest.h>

namespace switchboard::gateway_web {
namespace {

TEST(ParseSocketInput, KnowsTypingAndPing) {
    EXPECT_EQ(ParseSocketInput(R"({"type":"typing"})").kind, SocketInputKind::kTyping);
    EXPECT_EQ(ParseSocketInput(R"( {"type":"ping","extra":[1,2]} )").kind, SocketInputKind::kPing);
}

struct BadInput {
    std::string text;
    const char* reason;
};

class ParseSocketInputBad : public ::testing::TestWithParam<BadInput> {};

TEST_P(ParseSocketInputBad, IsInvalidWithAReason) {
    const auto in = ParseSocketInput(GetParam().text);
    EXPECT_EQ(in.kind, SocketInputKind::kInvalid);
    EXPECT_EQ(in.reason, GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseSocketInputBad,
    ::testing::Values(BadInput{"", "invalid_json"}, BadInput{"typing", "invalid_json"},
                      BadInput{"{\"type\":", "invalid_json"}, BadInput{"[\"typing\"]", "invalid_json"},
                      BadInput{"\"typing\"", "invalid_json"},
                      BadInput{std::string("\xff\xfe{}", 4), "invalid_json"}, BadInput{"{}", "unknown_type"},
                      BadInput{R"({"type":7})", "unknown_type"},
                      BadInput{R"({"type":"message","text":"hi"})", "unknown_type"},
                      BadInput{R"({"type":"TYPING"})", "unknown_type"},
                      BadInput{R"({"type":"typing","pad":")" + std::string(kMaxSocketInputBytes, 'x') + "\"}",
                               "too_large"}));

TEST(ParseResumeCursor, AbsentMeansNoResume) {
    const auto c = ParseResumeCursor({});
    EXPECT_FALSE(c.requested);
}

TEST(ParseResumeCursor, ReadsADecimalSequenceNumber) {
    auto c = ParseResumeCursor({{"after", "42"}});
    EXPECT_TRUE(c.requested);
    EXPECT_TRUE(c.valid);
    EXPECT_EQ(c.after, 42u);
    c = ParseResumeCursor({{"after", "0"}, {"other", "x"}});
    EXPECT_TRUE(c.requested && c.valid);
    EXPECT_EQ(c.after, 0u);
}

TEST(ParseResumeCursor, GarbageIsRequestedButInvalid) {
    for (const char* v : {"", "-1", "abc", "12abc", " 3", "99999999999999999999999"}) {
        const auto c = ParseResumeCursor({{"after", v}});
        EXPECT_TRUE(c.requested) << v;
        EXPECT_FALSE(c.valid) << v;
        EXPECT_EQ(c.after, 0u) << v;
    }
}

}  // namespace
}  // namespace switchboard::gateway_web
