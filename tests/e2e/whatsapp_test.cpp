// End to end over WhatsApp: Meta's side is played by signed webhook POSTs to gateway-whatsapp and
// by the fake Graph API that receives its /messages calls; the core services (assistant, routing,
// metrics) run as in production.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fake_graph_api.hpp"
#include "stack.hpp"
#include "support.hpp"
#include "switchboard/channel/secrets.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

namespace switchboard::e2e {
namespace {

using namespace std::chrono_literals;
namespace rv1 = switchboard::routing::v1;
using gateway_whatsapp::test_support::FakeGraphApi;

constexpr auto kReplyTimeout = 20s;
constexpr const char* kAppSecret = "e2e-app-secret";
constexpr const char* kVerifyToken = "e2e-verify-token";
constexpr const char* kAccessToken = "EAAG-e2e-access-token";
constexpr const char* kNumber = "106540352242922";

class WhatsAppStack : public Stack {
public:
    WhatsAppStack() : fake("v21.0", kAccessToken) {
        fake.Start();
        StartCore();
        port = FreePort();
        Start("gateway-whatsapp", SWITCHBOARD_GATEWAY_WHATSAPP_BIN,
              {{"SWITCHBOARD_WHATSAPP_API_BASE", fake.base_url()},
               {"SWITCHBOARD_DELIVERY_FIRST_BACKOFF_MS", "50"},
               {"WHATSAPP_APP_SECRET", kAppSecret},
               {"WHATSAPP_VERIFY_TOKEN", kVerifyToken},
               {"WHATSAPP_ACCESS_TOKEN", kAccessToken}},
              port);
        WaitReady();
    }
    FakeGraphApi fake;
    std::uint16_t port = 0;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SharedStack<WhatsAppStack>);

std::string Conv(const std::string& wa_id) { return std::string("wa-") + kNumber + "-" + wa_id; }

std::string TextWebhook(const std::string& wa_id, const std::string& wamid, const std::string& text) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{)"
           R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
           std::string(kNumber) + R"("},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":")" + wa_id +
           R"("}],"messages":[{"from":")" + wa_id + R"(","id":")" + wamid + R"(","timestamp":")" +
           std::to_string(now) + R"(","type":"text","text":{"body":")" + text +
           R"("}}]},"field":"messages"}]}]})";
}

class WhatsAppE2E : public ::testing::Test {
protected:
    WhatsAppStack& stack() { return SharedStack<WhatsAppStack>::Get(); }
    FakeGraphApi& fake() { return SharedStack<WhatsAppStack>::Get().fake; }

    // Posts like Meta: the raw body signed with the app secret (or with `secret`).
    int Webhook(const std::string& body, const std::string& secret = kAppSecret) {
        auto r = http::Fetch("127.0.0.1", stack().port, "POST", "/webhook", body,
                             {{"Content-Type", "application/json"},
                              {"X-Hub-Signature-256", "sha256=" + channel::HmacSha256Hex(secret, body)}});
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? r->status : 0;
    }

    // Waits until a /messages POST to `wa_id` carries `text`; all POSTs to it so far.
    std::vector<FakeGraphApi::Request> WaitForText(const std::string& wa_id, const std::string& text) {
        const bool got = WaitUntil(
            [&] {
                for (const auto& r : fake().RequestsTo(wa_id)) {
                    if (r.text == text) return true;
                }
                return false;
            },
            kReplyTimeout);
        EXPECT_TRUE(got) << "no message \"" << text << "\" to " << wa_id << "\n" << stack().Logs();
        return fake().RequestsTo(wa_id);
    }

    double GatewayMetric(const std::string& name, const std::map<std::string, std::string>& labels) {
        auto r = http::Fetch("127.0.0.1", stack().port, "GET", "/metrics");
        return r.ok() ? MetricValue(r->body, name, labels).value_or(0) : 0;
    }

    void SetOnline(const std::string& op, const std::string& name) {
        auto s = stack().SetOnline(op, name);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }

    rv1::Conversation GetConversation(const std::string& conv, const std::string& as) {
        return stack().GetConversation(conv, as);
    }
};

TEST_F(WhatsAppE2E, SubscriptionHandshake) {
    auto r = http::Fetch("127.0.0.1", stack().port, "GET",
                         std::string("/webhook?hub.mode=subscribe&hub.verify_token=") + kVerifyToken +
                             "&hub.challenge=8724650001");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "8724650001");
    auto bad = http::Fetch("127.0.0.1", stack().port, "GET",
                           "/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=8724650001");
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 403);
}

TEST_F(WhatsAppE2E, KnowledgeBaseQuestionIsAnsweredOnWhatsApp) {
    const std::string wa = "15550100001";
    ASSERT_EQ(Webhook(TextWebhook(wa, "wamid.e2e-kb-1", "how do I reset my password?")), 200);
    const std::string answer = DemoAnswer("en-reset-password");
    ASSERT_FALSE(answer.empty());
    const auto posts = WaitForText(wa, answer);
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].phone_number_id, kNumber);
    EXPECT_EQ(posts[0].authorization, std::string("Bearer ") + kAccessToken);
    EXPECT_EQ(posts[0].type, "text");
}

TEST_F(WhatsAppE2E, OperatorReplyReachesTheCustomer) {
    SetOnline("op-wa-anna", "Anna");
    const std::string wa = "15550100002";
    ASSERT_EQ(Webhook(TextWebhook(wa, "wamid.e2e-human-1", "I want a human")), 200);
    ASSERT_TRUE(WaitUntil(
        [&] { return GetConversation(Conv(wa), "op-wa-anna").state() == rv1::CONVERSATION_STATE_ASSIGNED; },
        kReplyTimeout))
        << stack().Logs();
    EXPECT_EQ(GetConversation(Conv(wa), "op-wa-anna").operator_id(), "op-wa-anna");
    {
        grpc::ClientContext ctx;
        stack().Authorize(ctx, "op-wa-anna");
        rv1::ReplyRequest req;
        req.set_operator_id("op-wa-anna");
        req.set_conversation_id(Conv(wa));
        req.set_text("Hi, I'm Anna. How can I help?");
        rv1::ReplyResponse resp;
        auto s = stack().routing().Reply(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    const auto posts = WaitForText(wa, "Hi, I'm Anna. How can I help?");
    ASSERT_FALSE(posts.empty());
    // The assistant's "connecting you" notice came first, then the operator's reply.
    EXPECT_EQ(posts.back().text, "Hi, I'm Anna. How can I help?");
}

TEST_F(WhatsAppE2E, RepeatedWebhookIsAcceptedOnceAndAnsweredOnce) {
    const std::string wa = "15550100003";
    const std::string body = TextWebhook(wa, "wamid.e2e-dup-1", "how do i export my notes");
    ASSERT_EQ(Webhook(body), 200);
    ASSERT_EQ(Webhook(body), 200);  // Meta's retry
    EXPECT_GE(GatewayMetric("switchboard_gateway_messages_duplicate_total", {{"channel", "whatsapp"}}), 1);
    // A later message of the conversation is answered after anything the repeat could have
    // caused (one partition, in order): its answer is the second and last POST.
    const std::string first = DemoAnswer("en-export-data");
    WaitForText(wa, first);
    ASSERT_EQ(Webhook(TextWebhook(wa, "wamid.e2e-dup-2", "how much does plus cost")), 200);
    const std::string second = DemoAnswer("en-plans-pricing");
    const auto posts = WaitForText(wa, second);
    ASSERT_EQ(posts.size(), 2u) << "a repeated webhook was answered twice";
    EXPECT_EQ(posts[0].text, first);
    EXPECT_EQ(posts[1].text, second);
}

TEST_F(WhatsAppE2E, ForgedWebhookIsRefusedAndNothingIsSent) {
    const std::string wa = "15550100004";
    EXPECT_EQ(
        Webhook(TextWebhook(wa, "wamid.e2e-forged-1", "how do I reset my password?"), "attacker-secret"),
        403);
    EXPECT_GE(GatewayMetric("switchboard_gateway_requests_rejected_total",
                            {{"channel", "whatsapp"}, {"reason", "bad_signature"}}),
              1);
    // A genuine message afterwards gets the only answer: the forged one was never published.
    ASSERT_EQ(Webhook(TextWebhook(wa, "wamid.e2e-forged-2", "how much does plus cost")), 200);
    const auto posts = WaitForText(wa, DemoAnswer("en-plans-pricing"));
    ASSERT_EQ(posts.size(), 1u);
}

}  // namespace
}  // namespace switchboard::e2e
