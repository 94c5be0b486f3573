#include "telegram_sender.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "telegram_probe.hpp"

namespace switchboard::gateway_telegram {
namespace {

using Kind = channel::SendAttempt::Kind;
namespace chat = switchboard::chat::v1;
using nlohmann::json;

constexpr const char* kToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";

// Scripted Bot API answers; records what was posted.
struct FakePost {
    std::deque<Result<channel::PlatformResponse>> answers;
    std::vector<std::pair<std::string, json>> posted;
    std::int64_t next_id = 1;

    Result<channel::PlatformResponse> operator()(const std::string& url, const std::string& body) {
        posted.emplace_back(url, json::parse(body));
        if (!answers.empty()) {
            auto a = answers.front();
            answers.pop_front();
            return a;
        }
        return channel::PlatformResponse{
            200, R"({"ok":true,"result":{"message_id":)" + std::to_string(next_id++) + "}}", {}};
    }
};

class TelegramSenderTest : public ::testing::Test {
protected:
    // No waiting between parts in unit tests.
    static channel::RateLimiter::Limits Unlimited() {
        channel::RateLimiter::Limits l;
        l.per_key_per_second = l.per_key_burst = l.overall_per_second = l.overall_burst = 1e6;
        return l;
    }

    TelegramSender MakeSender() {
        TelegramSender::Options o;
        o.api_base = "https://api.example/";
        o.max_parts = 4;
        return TelegramSender([this](const std::string& u, const std::string& b) { return post_(u, b); },
                              kToken, limiter_, probe_, telegram_probe_, o);
    }

    static chat::OutboundMessage Reply(const std::string& conv, const std::string& text) {
        chat::OutboundMessage m;
        m.mutable_envelope()->set_conversation_id(conv);
        m.set_reply_id("r-1");
        m.set_text(text);
        m.set_responder(chat::RESPONDER_BOT);
        return m;
    }

    prometheus::Registry registry_;
    channel::ChannelProbe probe_{registry_, "telegram"};
    TelegramProbe telegram_probe_{registry_};
    channel::RateLimiter limiter_{Unlimited()};
    FakePost post_;
};

TEST_F(TelegramSenderTest, PostsSendMessageToTheBotUrl) {
    auto sender = MakeSender();
    auto a = sender.Send(Reply("tg-42", "a < b"));
    EXPECT_EQ(a.kind, Kind::kDelivered);
    EXPECT_EQ(a.platform_message_id, "1");
    ASSERT_EQ(post_.posted.size(), 1u);
    EXPECT_EQ(post_.posted[0].first, std::string("https://api.example/bot") + kToken + "/sendMessage");
    EXPECT_EQ(post_.posted[0].second["chat_id"], 42);
    EXPECT_EQ(post_.posted[0].second["text"], "a &lt; b");
    EXPECT_EQ(post_.posted[0].second["parse_mode"], "HTML");
}

TEST_F(TelegramSenderTest, NotATelegramConversationHasNoAddress) {
    auto sender = MakeSender();
    auto a = sender.Send(Reply("web-42", "hi"));
    EXPECT_EQ(a.kind, Kind::kFailed);
    EXPECT_EQ(a.reason, "no_address");
    EXPECT_TRUE(post_.posted.empty());
}

TEST_F(TelegramSenderTest, TransportErrorsRetryAndNeverCarryTheToken) {
    post_.answers.push_back(
        Error::Retryable(std::string("platform request failed: timeout on /bot") + kToken));
    auto sender = MakeSender();
    auto a = sender.Send(Reply("tg-42", "hi"));
    EXPECT_EQ(a.kind, Kind::kRetry);
    EXPECT_EQ(a.platform_response.find(kToken), std::string::npos) << a.platform_response;
    EXPECT_NE(a.platform_response.find("<token>"), std::string::npos);
}

TEST_F(TelegramSenderTest, ResponsesAreMapped) {
    post_.answers.push_back(channel::PlatformResponse{
        429,
        R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})",
        {}});
    post_.answers.push_back(channel::PlatformResponse{
        403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})", {}});
    auto sender = MakeSender();
    auto limited = sender.Send(Reply("tg-42", "hi"));
    EXPECT_EQ(limited.kind, Kind::kRetry);
    EXPECT_EQ(limited.retry_after, std::chrono::seconds(7));
    auto blocked = sender.Send(Reply("tg-42", "hi"));
    EXPECT_EQ(blocked.kind, Kind::kFailed);
    EXPECT_EQ(blocked.platform_response, "403 Forbidden: bot was blocked by the user");
}

TEST_F(TelegramSenderTest, LongReplyGoesOutInPartsAndARetryResumesAtThePartThatFailed) {
    const std::string text =
        std::string(4000, 'a') + "\n" + std::string(4000, 'b') + "\n" + std::string(100, 'c');
    // Part 1 is taken, part 2 gets a 500: the retry must not send part 1 again.
    post_.answers.push_back(channel::PlatformResponse{200, R"({"ok":true,"result":{"message_id":77}})", {}});
    post_.answers.push_back(
        channel::PlatformResponse{500, R"({"ok":false,"error_code":500,"description":"Internal"})", {}});
    auto sender = MakeSender();
    auto first = sender.Send(Reply("tg-42", text));
    EXPECT_EQ(first.kind, Kind::kRetry);
    EXPECT_NE(first.platform_response.find("part 2 of 3"), std::string::npos) << first.platform_response;
    auto second = sender.Send(Reply("tg-42", text));
    ASSERT_EQ(second.kind, Kind::kDelivered);
    EXPECT_EQ(second.platform_message_id, "77");  // the first part's id
    ASSERT_EQ(post_.posted.size(), 4u);
    EXPECT_EQ(post_.posted[0].second["text"], std::string(4000, 'a'));
    EXPECT_EQ(post_.posted[1].second["text"], std::string(4000, 'b'));
    EXPECT_EQ(post_.posted[2].second["text"], std::string(4000, 'b'));
    EXPECT_EQ(post_.posted[3].second["text"], std::string(100, 'c'));
}

TEST_F(TelegramSenderTest, EveryPartAfterTheFirstTakesARateLimiterSlotForTheChat) {
    // Ten slots that never refill: what is left after the send shows how many the sender took.
    channel::RateLimiter::Limits limits;
    limits.per_key_per_second = 1e-9;
    limits.per_key_burst = 10;
    limits.overall_per_second = 1e6;
    limits.overall_burst = 1e6;
    channel::RateLimiter limiter(limits);
    TelegramSender sender([this](const std::string& u, const std::string& b) { return post_(u, b); }, kToken,
                          limiter, probe_, telegram_probe_, {});
    const std::string text =
        std::string(4000, 'a') + "\n" + std::string(4000, 'b') + "\n" + std::string(100, 'c');
    ASSERT_EQ(sender.Send(Reply("tg-42", text)).kind, Kind::kDelivered);
    EXPECT_EQ(post_.posted.size(), 3u);
    int free_slots = 0;
    while (limiter.Reserve("tg-42").count() == 0 && free_slots < 20) ++free_slots;
    EXPECT_EQ(free_slots, 8);  // parts 2 and 3 (part 1's slot is OutboundDelivery's)
}

TEST_F(TelegramSenderTest, AReplyThatFailedForGoodStartsOverIfItComesAgain) {
    const std::string text = std::string(4090, 'a') + "\n" + std::string(10, 'b');
    post_.answers.push_back(channel::PlatformResponse{200, R"({"ok":true,"result":{"message_id":5}})", {}});
    post_.answers.push_back(
        channel::PlatformResponse{400, R"({"ok":false,"error_code":400,"description":"Bad"})", {}});
    auto sender = MakeSender();
    EXPECT_EQ(sender.Send(Reply("tg-42", text)).kind, Kind::kFailed);
    EXPECT_EQ(sender.Send(Reply("tg-42", text)).kind, Kind::kDelivered);
    ASSERT_EQ(post_.posted.size(), 4u);
    EXPECT_EQ(post_.posted[2].second["text"], std::string(4090, 'a'));
}

}  // namespace
}  // namespace switchboard::gateway_telegram
