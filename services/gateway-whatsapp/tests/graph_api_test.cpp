#include "graph_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace switchboard::gateway_whatsapp {
namespace {

using nlohmann::json;
using Kind = SendOutcome::Kind;

// Graph API error bodies as documented (error.message, type, code, error_data.details, fbtrace_id).
std::string ErrorBody(int code, const std::string& message) {
    return json{{"error",
                 {{"message", message},
                  {"type", "OAuthException"},
                  {"code", code},
                  {"error_data", {{"messaging_product", "whatsapp"}, {"details", "details"}}},
                  {"fbtrace_id", "Az8or2yhqkZfEZ-_4Qn_Bam"}}}}
        .dump();
}

TEST(GraphApi, MessagesUrl) {
    EXPECT_EQ(MessagesUrl("https://graph.facebook.com", "v21.0", "106540352242922"),
              "https://graph.facebook.com/v21.0/106540352242922/messages");
    EXPECT_EQ(MessagesUrl("http://127.0.0.1:9000/", "v21.0", "1"), "http://127.0.0.1:9000/v21.0/1/messages");
}

TEST(GraphApi, TextMessageBodyIsTheDocumentedShape) {
    const json j = json::parse(TextMessageBody("16505551234", "Hello \"you\"\nline two"));
    EXPECT_EQ(j,
              json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                                 "type":"text","text":{"preview_url":false,"body":"Hello \"you\"\nline two"}})"));
}

TEST(GraphApi, InvalidUtf8IsReplacedNotThrown) {
    const json j = json::parse(TextMessageBody("1", std::string("bad \xff byte")));
    EXPECT_EQ(j["text"]["body"].get<std::string>().substr(0, 4), "bad ");
}

TEST(GraphApi, SuccessGivesTheWamid) {
    const auto o = ClassifySendResponse(
        200, R"({"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],
                 "messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]})");
    EXPECT_EQ(o.kind, Kind::kDelivered);
    EXPECT_EQ(o.message_id, "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA");
}

TEST(GraphApi, SuccessWithoutAnIdIsStillDelivered) {
    const auto o = ClassifySendResponse(200, "{}");
    EXPECT_EQ(o.kind, Kind::kDelivered);
    EXPECT_EQ(o.message_id, "");
}

TEST(GraphApi, ThrottlingCodesAreRetried) {
    for (int code : {130429, 131056, 80007, 4}) {
        const auto o =
            ClassifySendResponse(400, ErrorBody(code, "(#" + std::to_string(code) + ") Rate limit hit"));
        EXPECT_EQ(o.kind, Kind::kRetry) << code;
        EXPECT_EQ(o.error_code, code);
    }
    EXPECT_EQ(ClassifySendResponse(429, "Too Many Requests").kind, Kind::kRetry);
}

TEST(GraphApi, ServerFaultsAreRetried) {
    EXPECT_EQ(ClassifySendResponse(500, ErrorBody(131000, "Something went wrong")).kind, Kind::kRetry);
    EXPECT_EQ(ClassifySendResponse(503, ErrorBody(131016, "Service unavailable")).kind, Kind::kRetry);
    EXPECT_EQ(ClassifySendResponse(502, "<html>Bad Gateway</html>").kind, Kind::kRetry);
    EXPECT_EQ(ClassifySendResponse(400, ErrorBody(2, "Service temporarily unavailable")).kind, Kind::kRetry);
}

TEST(GraphApi, ReengagementErrorMeansTheWindowIsClosed) {
    const auto o = ClassifySendResponse(400, ErrorBody(131047, "(#131047) Re-engagement message"));
    EXPECT_EQ(o.kind, Kind::kWindowClosed);
    EXPECT_EQ(o.detail, "131047 (#131047) Re-engagement message");
}

TEST(GraphApi, OtherClientErrorsAreRejectedWithCodeAndMessage) {
    const auto o = ClassifySendResponse(400, ErrorBody(131026, "(#131026) Message undeliverable"));
    EXPECT_EQ(o.kind, Kind::kRejected);
    EXPECT_EQ(o.detail, "131026 (#131026) Message undeliverable");
    EXPECT_EQ(ClassifySendResponse(401, ErrorBody(190, "Invalid OAuth access token")).kind, Kind::kRejected);
    EXPECT_EQ(ClassifySendResponse(400, ErrorBody(100, "(#100) Invalid parameter")).kind, Kind::kRejected);
    const auto plain = ClassifySendResponse(403, "Forbidden");
    EXPECT_EQ(plain.kind, Kind::kRejected);
    EXPECT_EQ(plain.detail, "403 Forbidden");
}

TEST(GraphApi, RetryAfterHeaderIsHonoured) {
    EXPECT_EQ(ClassifySendResponse(429, "", "3").retry_after, std::chrono::seconds(3));
    EXPECT_EQ(ClassifySendResponse(429, "", "soon").retry_after, std::chrono::milliseconds(0));
    EXPECT_EQ(ClassifySendResponse(429, "").retry_after, std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace switchboard::gateway_whatsapp
