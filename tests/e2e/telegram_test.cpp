// End to end through Telegram's wire formats: Bot API webhook updates POSTed to the real
// gateway-telegram binary, replies checked on what a fake api.telegram.org received (sendMessage),
// with the real assistant, routing and metrics on the real Kafka and Redis.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "fake_bot_api.hpp"
#include "stack.hpp"
#include "support.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

namespace switchboard::e2e {
namespace {

using namespace std::chrono_literals;
using gateway_telegram::testing::FakeBotApi;
using nlohmann::json;
namespace rv1 = switchboard::routing::v1;

constexpr auto kReplyTimeout = 20s;
constexpr const char* kToken = "4242424242:AAE2e-telegram_test_token";
constexpr const char* kSecret = "e2e-webhook_secret";

// Started once for all tests of this binary: the fake Bot API, the core services and the gateway
// pointed at the fake.
class TelegramSuite : public Stack {
public:
    TelegramSuite() : bot_api(kToken) {
        telegram_port = FreePort();
        StartCore();
        Start("gateway-telegram", SWITCHBOARD_GATEWAY_TELEGRAM_BIN,
              {{"TELEGRAM_BOT_TOKEN", kToken},
               {"TELEGRAM_WEBHOOK_SECRET", kSecret},
               {"SWITCHBOARD_TELEGRAM_API_BASE", bot_api.base_url()}},
              telegram_port);
        WaitReady();
    }

    FakeBotApi bot_api;
    std::uint16_t telegram_port = 0;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SharedStack<TelegramSuite>);

std::string TextUpdate(std::int64_t update_id, std::int64_t chat_id, const std::string& text) {
    return json{
        {"update_id", update_id},
        {"message",
         {{"message_id", update_id % 100000},
          {"date", 1700000000},
          {"chat", {{"id", chat_id}, {"type", "private"}, {"first_name", "Ann"}}},
          {"from", {{"id", chat_id}, {"is_bot", false}, {"first_name", "Ann"}, {"language_code", "en"}}},
          {"text", text}}}}
        .dump();
}

class TelegramE2E : public ::testing::Test {
protected:
    TelegramSuite& suite() { return SharedStack<TelegramSuite>::Get(); }
    FakeBotApi& bot_api() { return suite().bot_api; }

    Result<http::ClientResponse> PostUpdate(const std::string& body,
                                            std::optional<std::string> secret = kSecret) {
        std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
        if (secret) headers.emplace_back("X-Telegram-Bot-Api-Secret-Token", *secret);
        return http::Fetch("127.0.0.1", suite().telegram_port, "POST", "/telegram/webhook", body, headers);
    }

    // Posts an update and expects 200 with the given status ("accepted", "duplicate").
    void Deliver(const std::string& body, const std::string& status) {
        auto r = PostUpdate(body);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r->status, 200) << r->body;
        EXPECT_EQ(json::parse(r->body).value("status", ""), status) << r->body;
    }

    // The messages the chat has received once there are at least `n`.
    std::vector<FakeBotApi::Call> WaitDelivered(std::int64_t chat_id, std::size_t n) {
        const bool got = bot_api().WaitFor(
            [&](const std::vector<FakeBotApi::Call>& calls) {
                return static_cast<std::size_t>(std::count_if(calls.begin(), calls.end(), [&](const auto& c) {
                           return c.chat_id == chat_id && c.status == 200;
                       })) >= n;
            },
            kReplyTimeout);
        EXPECT_TRUE(got) << "chat " << chat_id << " did not get " << n << " message(s)\n" << suite().Logs();
        return bot_api().Delivered(chat_id);
    }

    rv1::Conversation GetConversation(const std::string& conv) {
        return suite().GetConversation(conv, "op-tanya");
    }

    double GatewayMetric(const std::string& name, const std::map<std::string, std::string>& labels) {
        auto r = http::Fetch("127.0.0.1", suite().telegram_port, "GET", "/metrics");
        return r.ok() ? MetricValue(r->body, name, labels).value_or(0) : 0;
    }
};

TEST_F(TelegramE2E, CoveredQuestionIsAnsweredFromTheKnowledgeBase) {
    Deliver(TextUpdate(100001, 5001, "how do I reset my password?"), "accepted");
    auto sent = WaitDelivered(5001, 1);
    ASSERT_FALSE(sent.empty());
    EXPECT_EQ(sent[0].plain_text, DemoAnswer("en-reset-password"));
    EXPECT_EQ(sent[0].parse_mode, "HTML");
}

TEST_F(TelegramE2E, CustomerWhoAsksForAHumanGetsTheOperatorsReply) {
    {
        grpc::ClientContext ctx;
        suite().Authorize(ctx, "op-tanya");
        rv1::SetStatusRequest req;
        req.set_operator_id("op-tanya");
        req.set_display_name("Tanya");
        req.set_status(rv1::OPERATOR_STATUS_ONLINE);
        req.set_capacity(2);
        rv1::SetStatusResponse resp;
        auto s = suite().routing().SetStatus(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    Deliver(TextUpdate(100101, 5002, "I want a human"), "accepted");
    WaitDelivered(5002, 1);  // the "connecting you to an operator" notice
    ASSERT_TRUE(
        WaitUntil([&] { return GetConversation("tg-5002").state() == rv1::CONVERSATION_STATE_ASSIGNED; },
                  kReplyTimeout))
        << suite().Logs();
    EXPECT_EQ(GetConversation("tg-5002").operator_id(), "op-tanya");
    {
        grpc::ClientContext ctx;
        suite().Authorize(ctx, "op-tanya");
        rv1::ReplyRequest req;
        req.set_operator_id("op-tanya");
        req.set_conversation_id("tg-5002");
        req.set_text("Hi, I'm Tanya <support> & happy to help.");
        rv1::ReplyResponse resp;
        auto s = suite().routing().Reply(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    auto sent = WaitDelivered(5002, 2);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1].text, "<b>Tanya</b>: Hi, I'm Tanya &lt;support&gt; &amp; happy to help.");
    EXPECT_EQ(sent[1].plain_text, "Tanya: Hi, I'm Tanya <support> & happy to help.");
}

TEST_F(TelegramE2E, RepeatedUpdateIsOneInboundMessageAndOneAnswer) {
    const std::string update = TextUpdate(100201, 5003, "how much does plus cost");
    Deliver(update, "accepted");
    Deliver(update, "duplicate");
    // A later message in the same conversation is handled after anything the repeat could have
    // caused, so once its answer is there, a second answer to the repeat would be too.
    Deliver(TextUpdate(100202, 5003, "how do i export my notes"), "accepted");
    auto sent = WaitDelivered(5003, 2);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].plain_text, DemoAnswer("en-plans-pricing"));
    EXPECT_NE(sent[1].plain_text, DemoAnswer("en-plans-pricing"));
}

TEST_F(TelegramE2E, ForgedSecretIsRefusedAndNothingIsSent) {
    auto forged = PostUpdate(TextUpdate(100301, 5004, "how do I reset my password?"), "forged-secret");
    ASSERT_TRUE(forged.ok());
    EXPECT_EQ(forged->status, 403);
    auto missing = PostUpdate(TextUpdate(100302, 5004, "how do I reset my password?"), std::nullopt);
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->status, 401);
    EXPECT_EQ(GatewayMetric("switchboard_gateway_requests_rejected_total",
                            {{"channel", "telegram"}, {"reason", "bad_secret"}}),
              2);
    // The conversation's first message that gets through is the only one answered.
    Deliver(TextUpdate(100303, 5004, "how do i enable two factor authentication"), "accepted");
    auto sent = WaitDelivered(5004, 1);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].plain_text, DemoAnswer("en-two-factor"));
}

}  // namespace
}  // namespace switchboard::e2e
