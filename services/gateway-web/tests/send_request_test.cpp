#include "send_request.hpp"

#include <gtest/gtest.h>

namespace switchboard::gateway_web {
namespace {

TEST(ParseSendRequest, AcceptsAFullRequest) {
    auto r = ParseSendRequest(
        R"({"conversation_id":"c-1","text":"Привет","message_id":"w1","customer":{"id":"u1","name":"Ann","language":"ru"}})");
    ASSERT_TRUE(r.ok) << r.rejection.message;
    EXPECT_EQ(r.request.conversation_id, "c-1");
    EXPECT_EQ(r.request.text, "Привет");
    EXPECT_EQ(r.request.client_message_id, "w1");
    EXPECT_EQ(r.request.customer_name, "Ann");
    EXPECT_EQ(r.request.language, "ru");
}

TEST(ParseSendRequest, MessageIdAndCustomerAreOptional) {
    auto r = ParseSendRequest(R"({"conversation_id":"c-1","text":"hi"})");
    ASSERT_TRUE(r.ok);
    EXPECT_TRUE(r.request.client_message_id.empty());
}

struct BadCase {
    const char* body;
    int status;
    const char* code;
};

class ParseSendRequestBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseSendRequestBad, IsRejectedWithReason) {
    auto r = ParseSendRequest(GetParam().body);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.rejection.status, GetParam().status);
    EXPECT_EQ(r.rejection.code, GetParam().code);
    EXPECT_FALSE(r.rejection.message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseSendRequestBad,
    ::testing::Values(BadCase{"not json", 400, "invalid_json"}, BadCase{"[1,2]", 400, "invalid_json"},
                      BadCase{R"({"text":"hi"})", 400, "invalid_conversation_id"},
                      BadCase{R"({"conversation_id":"a b","text":"hi"})", 400, "invalid_conversation_id"},
                      BadCase{R"({"conversation_id":7,"text":"hi"})", 400, "invalid_conversation_id"},
                      BadCase{R"({"conversation_id":"c"})", 400, "invalid_text"},
                      BadCase{R"({"conversation_id":"c","text":"   "})", 400, "invalid_text"},
                      BadCase{R"({"conversation_id":"c","text":5})", 400, "invalid_text"},
                      BadCase{R"({"conversation_id":"c","text":"hi","message_id":"x/y"})", 400, "invalid_message_id"},
                      BadCase{R"({"conversation_id":"c","text":"hi","customer":"bob"})", 400, "invalid_customer"}));

TEST(ParseSendRequest, TooLongTextIs413) {
    const std::string body = R"({"conversation_id":"c","text":")" + std::string(kMaxTextBytes + 1, 'a') + "\"}";
    auto r = ParseSendRequest(body);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.rejection.status, 413);
    EXPECT_EQ(r.rejection.code, "text_too_long");
}

TEST(IsValidUtf8, RejectsBrokenSequences) {
    EXPECT_TRUE(IsValidUtf8("ascii и кириллица 😀"));
    EXPECT_FALSE(IsValidUtf8(std::string("\xC3", 1)));
    EXPECT_FALSE(IsValidUtf8(std::string("\xC0\xAF", 2)));      // overlong
    EXPECT_FALSE(IsValidUtf8(std::string("\xED\xA0\x80", 3)));  // surrogate
    EXPECT_FALSE(IsValidUtf8(std::string("\xF5\x80\x80\x80", 4)));
}

}  // namespace
}  // namespace switchboard::gateway_web
