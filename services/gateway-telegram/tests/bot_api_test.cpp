// Response bodies as the Bot API documents them: {"ok":true,"result":…} or
// {"ok":false,"error_code":N,"description":"…","parameters":{"retry_after":S}}.
#include "bot_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace switchboard::gateway_telegram {
namespace {

using Kind = channel::SendAttempt::Kind;
using namespace std::chrono_literals;

TEST(SendMessageBody, CarriesChatTextAndHtmlParseMode) {
    auto body = nlohmann::json::parse(SendMessageBody(-1001234567890, "<b>Anna</b>: a &lt; b"));
    EXPECT_EQ(body["chat_id"], -1001234567890);
    EXPECT_EQ(body["text"], "<b>Anna</b>: a &lt; b");
    EXPECT_EQ(body["parse_mode"], "HTML");
}

TEST(MapSendMessageResponse, OkIsDeliveredWithTheMessageId) {
    auto a =
        MapSendMessageResponse(200, R"({"ok":true,"result":{"message_id":4711,"from":{"id":1,"is_bot":true,
        "first_name":"Bot"},"chat":{"id":42,"type":"private"},"date":1700000000,"text":"hi"}})");
    EXPECT_EQ(a.kind, Kind::kDelivered);
    EXPECT_EQ(a.platform_message_id, "4711");
}

TEST(MapSendMessageResponse, TooManyRequestsRetriesAfterTheGivenSeconds) {
    auto a = MapSendMessageResponse(
        429,
        R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}})");
    EXPECT_EQ(a.kind, Kind::kRetry);
    EXPECT_EQ(a.retry_after, 3000ms);
    EXPECT_EQ(a.platform_response, "429 Too Many Requests: retry after 3");
    auto no_hint =
        MapSendMessageResponse(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests"})");
    EXPECT_EQ(no_hint.kind, Kind::kRetry);
    EXPECT_EQ(no_hint.retry_after, 0ms);
}

TEST(MapSendMessageResponse, ServerErrorsAndNoResponseRetry) {
    for (int status : {500, 502, 503, 504}) {
        auto a = MapSendMessageResponse(status, "<html>Bad Gateway</html>");
        EXPECT_EQ(a.kind, Kind::kRetry) << status;
        EXPECT_EQ(a.platform_response, std::to_string(status));
    }
    EXPECT_EQ(MapSendMessageResponse(0, "").kind, Kind::kRetry);
}

TEST(MapSendMessageResponse, ClientErrorsAreRejectedForGood) {
    auto blocked = MapSendMessageResponse(
        403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
    EXPECT_EQ(blocked.kind, Kind::kFailed);
    EXPECT_EQ(blocked.reason, "rejected");
    EXPECT_EQ(blocked.platform_response, "403 Forbidden: bot was blocked by the user");
    auto not_found = MapSendMessageResponse(
        400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})");
    EXPECT_EQ(not_found.kind, Kind::kFailed);
    EXPECT_EQ(not_found.platform_response, "400 Bad Request: chat not found");
    EXPECT_EQ(
        MapSendMessageResponse(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})").kind,
        Kind::kFailed);
}

TEST(MapSendMessageResponse, A2xxWithoutOkFalseCountsAsTaken) {
    // Retrying could show the customer the message twice; the platform said 2xx.
    auto odd = MapSendMessageResponse(200, "not json");
    EXPECT_EQ(odd.kind, Kind::kDelivered);
    EXPECT_EQ(odd.platform_message_id, "");
    auto refused = MapSendMessageResponse(200, R"({"ok":false,"description":"odd"})");
    EXPECT_EQ(refused.kind, Kind::kFailed);
}

}  // namespace
}  // namespace switchboard::gateway_telegram
