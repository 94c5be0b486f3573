// gateway-whatsapp's object graph (as main.cpp builds it) on the real Kafka and Redis, with the
// fake Graph API: signed webhooks in, chat.inbound.v1 / chat.events.v1 records out, and replies
// from chat.outbound.whatsapp.v1 through a real consumer to the fake's /messages.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <thread>

#include "customer_window.hpp"
#include "fake_graph_api.hpp"
#include "meta_payloads.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/channel/platform_client.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/channel/secrets.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/http/client.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/testing/environment.hpp"
#include "switchboard/testing/records.hpp"
#include "whatsapp_gateway.hpp"
#include "whatsapp_probe.hpp"
#include "whatsapp_sender.hpp"

namespace switchboard::gateway_whatsapp {
namespace {

using namespace std::chrono_literals;
namespace chat = switchboard::chat::v1;

constexpr const char* kAppSecret = "integration-app-secret";
constexpr const char* kVerifyToken = "integration-verify-token";
constexpr const char* kAccessToken = "EAAG-integration-token";
constexpr const char* kNumber = "106540352242922";

std::string Conv(const std::string& wa_id) { return std::string("wa-") + kNumber + "-" + wa_id; }

// A text-message webhook body like Meta's example, for one customer and wamid.
std::string TextWebhook(const std::string& wa_id, const std::string& wamid, const std::string& text,
                        std::int64_t timestamp = 0) {
    if (timestamp == 0) {
        timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    }
    return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{)"
           R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
           std::string(kNumber) + R"("},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":")" + wa_id +
           R"("}],"messages":[{"from":")" + wa_id + R"(","id":")" + wamid + R"(","timestamp":")" +
           std::to_string(timestamp) + R"(","type":"text","text":{"body":")" + text +
           R"("}}]},"field":"messages"}]}]})";
}

std::string StatusWebhook(const std::vector<std::tuple<std::string, std::string, std::string>>& statuses) {
    std::string list;
    for (const auto& [wamid, status, wa_id] : statuses) {
        if (!list.empty()) list += ",";
        list += R"({"id":")" + wamid + R"(","status":")" + status +
                R"(","timestamp":"1750263773","recipient_id":")" + wa_id + "\"";
        if (status == "failed") {
            list +=
                R"(,"errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable"}])";
        }
        list += "}";
    }
    return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{)"
           R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
           std::string(kNumber) + R"("},"statuses":[)" + list + R"(]},"field":"messages"}]}]})";
}

// Everything main.cpp builds, once for the whole binary (a consumer group join takes seconds).
struct Env {
    Env()
        : naming(testing::UniqueNamespace()),
          probe(registry, "whatsapp"),
          wa_probe(registry),
          fake("v21.0", kAccessToken) {
        const Status s = kafka::EnsureTopics(testing::KafkaBrokers(), naming.AllTopics(1));
        if (!s.ok()) throw std::runtime_error("topics: " + s.error().message);
        redis::ClientConfig rc;
        rc.host = testing::RedisHost();
        rc.port = testing::RedisPort();
        redis = redis::MakeClient(rc);
        producer = kafka::MakeProducer({testing::KafkaBrokers(), "gateway-whatsapp-test", {}});
        inbound_ledger = std::make_unique<channel::InboundLedger>(*redis, naming.RedisPrefix(), "whatsapp");
        status_ledger =
            std::make_unique<channel::InboundLedger>(*redis, naming.RedisPrefix(), "whatsapp-status");
        deliveries = std::make_unique<channel::DeliveryLedger>(*redis, naming.RedisPrefix(), "whatsapp");
        window = std::make_unique<RedisCustomerWindow>(*redis, naming.RedisPrefix());
        publisher = std::make_unique<channel::InboundPublisher>(
            *producer, *inbound_ledger, naming, common::v1::CHANNEL_WHATSAPP, "gateway-whatsapp", probe);
        gateway = std::make_unique<WhatsAppGateway>(*publisher, *status_ledger, *deliveries, *window,
                                                    *producer, naming, clock, probe, wa_probe,
                                                    WhatsAppGateway::Secrets{kAppSecret, kVerifyToken});
        http::ServerOptions so;
        so.port = 0;
        so.threads = 2;
        so.max_body_bytes = 16384;
        server = std::make_unique<http::Server>(so);
        gateway->RegisterRoutes(*server);
        server->Start();

        fake.Start();
        limiter = std::make_unique<channel::RateLimiter>(channel::RateLimiter::Limits{80, 80, 1e6, 1e6});
        WhatsAppSender::Options opts;
        opts.api_base = fake.base_url();
        opts.api_version = "v21.0";
        sender = std::make_unique<WhatsAppSender>(
            [this](const std::string& url, const std::string& ct, const std::string& body,
                   const std::vector<std::string>& headers) { return client.Post(url, ct, body, headers); },
            kAccessToken, *window, naming, clock, probe, wa_probe, opts);
        channel::OutboundDelivery::Options d;
        d.first_backoff = 20ms;
        d.max_backoff = 100ms;
        d.max_attempts = 4;
        d.rate_key = &WhatsAppSender::RateKey;
        delivery = std::make_unique<channel::OutboundDelivery>(*producer, *deliveries, *limiter, naming,
                                                               clock, common::v1::CHANNEL_WHATSAPP,
                                                               "gateway-whatsapp", probe, d);
        send = [this](const chat::OutboundMessage& out) { return sender->Send(out); };
        consumer = kafka::MakeConsumer({testing::KafkaBrokers(),
                                        naming.Group("gateway-whatsapp"),
                                        "gateway-whatsapp",
                                        {naming.Outbound(common::v1::CHANNEL_WHATSAPP)},
                                        "earliest",
                                        {}},
                                       [this](const kafka::Record& r) { return delivery->Handle(r, send); });
        consumer->Start();
        inbound = std::make_unique<testing::RecordCollector>(testing::KafkaBrokers(), naming.Inbound());
        events = std::make_unique<testing::RecordCollector>(testing::KafkaBrokers(), naming.Events());
    }
    ~Env() {
        server->Stop();
        delivery->Stop();
        consumer->Stop();
        fake.Stop();
    }

    events::Naming naming;
    SystemClock clock;
    prometheus::Registry registry;
    channel::ChannelProbe probe;
    WhatsAppProbe wa_probe;
    test_support::FakeGraphApi fake;
    std::unique_ptr<redis::Client> redis;
    std::unique_ptr<kafka::Producer> producer;
    std::unique_ptr<channel::InboundLedger> inbound_ledger, status_ledger;
    std::unique_ptr<channel::DeliveryLedger> deliveries;
    std::unique_ptr<RedisCustomerWindow> window;
    std::unique_ptr<channel::InboundPublisher> publisher;
    std::unique_ptr<WhatsAppGateway> gateway;
    std::unique_ptr<http::Server> server;
    channel::PlatformClient client;
    std::unique_ptr<channel::RateLimiter> limiter;
    std::unique_ptr<WhatsAppSender> sender;
    std::unique_ptr<channel::OutboundDelivery> delivery;
    channel::Sender send;
    std::unique_ptr<kafka::Consumer> consumer;
    std::unique_ptr<testing::RecordCollector> inbound, events;
};

Env* g_env = nullptr;

class WhatsAppEnvironment : public ::testing::Environment {
public:
    void SetUp() override { g_env = new Env(); }
    void TearDown() override {
        delete g_env;
        g_env = nullptr;
    }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new WhatsAppEnvironment);

class WhatsAppGatewayIT : public ::testing::Test {
protected:
    Env& env() { return *g_env; }

    Result<http::ClientResponse> PostWebhook(const std::string& body,
                                             std::optional<std::string> signature = {}) {
        std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
        const std::string sig = signature.value_or("sha256=" + channel::HmacSha256Hex(kAppSecret, body));
        if (!sig.empty()) headers.emplace_back("X-Hub-Signature-256", sig);
        return http::Fetch("127.0.0.1", env().server->BoundPort(), "POST", "/webhook", body, headers);
    }

    // Inbound messages of one conversation published so far.
    std::vector<chat::InboundMessage> InboundOf(const std::string& conv) {
        std::vector<chat::InboundMessage> out;
        for (const auto& r : env().inbound->Records()) {
            if (r.key != conv) continue;
            chat::InboundMessage m;
            EXPECT_TRUE(m.ParseFromString(r.value));
            out.push_back(m);
        }
        return out;
    }
    bool WaitInbound(const std::string& conv, const std::string& wamid) {
        return env().inbound->WaitFor([&](const std::vector<kafka::Record>& records) {
            for (const auto& r : records) {
                chat::InboundMessage m;
                if (r.key == conv && m.ParseFromString(r.value) && m.channel_message_id() == wamid)
                    return true;
            }
            return false;
        });
    }

    std::vector<chat::ConversationEvent> EventsOf(const std::string& conv) {
        std::vector<chat::ConversationEvent> out;
        for (const auto& r : env().events->Records()) {
            if (r.key != conv) continue;
            chat::ConversationEvent ev;
            EXPECT_TRUE(ev.ParseFromString(r.value));
            out.push_back(ev);
        }
        return out;
    }
    bool WaitEvent(const std::string& conv,
                   const std::function<bool(const chat::ConversationEvent&)>& match) {
        return env().events->WaitFor([&](const std::vector<kafka::Record>& records) {
            for (const auto& r : records) {
                chat::ConversationEvent ev;
                if (r.key == conv && ev.ParseFromString(r.value) && match(ev)) return true;
            }
            return false;
        });
    }

    void Reply(const std::string& conv, const std::string& reply_id, const std::string& text,
               chat::Responder responder = chat::RESPONDER_BOT) {
        chat::OutboundMessage out;
        events::FillEnvelope(out.mutable_envelope(), "e-" + reply_id, conv, common::v1::CHANNEL_WHATSAPP,
                             "test", "trace-" + reply_id, std::chrono::system_clock::now());
        out.set_reply_id(reply_id);
        out.set_in_reply_to("m-" + reply_id);
        out.set_text(text);
        out.set_responder(responder);
        out.set_kind(chat::OUTBOUND_KIND_REPLY);
        if (responder == chat::RESPONDER_OPERATOR) out.set_operator_id("op-anna");
        ASSERT_TRUE(env()
                        .producer
                        ->ProduceSync(env().naming.Outbound(common::v1::CHANNEL_WHATSAPP), conv,
                                      out.SerializeAsString())
                        .ok());
    }

    double Metric(const std::string& name, const std::map<std::string, std::string>& labels) {
        for (const auto& family : env().registry.Collect()) {
            if (family.name != name) continue;
            for (const auto& m : family.metric) {
                std::map<std::string, std::string> got;
                for (const auto& l : m.label) got[l.name] = l.value;
                if (got == labels) return m.counter.value;
            }
        }
        return 0;
    }
    // Counters move after the records they count are published: wait for them.
    bool WaitMetricAtLeast(const std::string& name, const std::map<std::string, std::string>& labels,
                           double n) {
        const auto deadline = std::chrono::steady_clock::now() + 15s;
        while (Metric(name, labels) < n) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }
};

TEST_F(WhatsAppGatewayIT, HandshakeEchoesTheChallengeOnlyForTheRightToken) {
    auto ok = http::Fetch("127.0.0.1", env().server->BoundPort(), "GET",
                          std::string("/webhook?hub.mode=subscribe&hub.verify_token=") + kVerifyToken +
                              "&hub.challenge=1158201444");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, "1158201444");
    auto bad = http::Fetch("127.0.0.1", env().server->BoundPort(), "GET",
                           "/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444");
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 403);
    EXPECT_EQ(bad->body.find("1158201444"), std::string::npos);
}

TEST_F(WhatsAppGatewayIT, SignedWebhookPublishesEveryMessageOnce) {
    const std::string wa = "16505550001";
    auto r = PostWebhook(TextWebhook(wa, "wamid.it-text-1", "Does it come in another color?"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_TRUE(WaitInbound(Conv(wa), "wamid.it-text-1"));
    auto msgs = InboundOf(Conv(wa));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].text(), "Does it come in another color?");
    EXPECT_EQ(msgs[0].customer().id(), wa);
    EXPECT_EQ(msgs[0].customer().display_name(), "Sheena Nelson");
    EXPECT_EQ(msgs[0].envelope().channel(), common::v1::CHANNEL_WHATSAPP);
    EXPECT_EQ(msgs[0].envelope().conversation_id(), Conv(wa));
    EXPECT_EQ(msgs[0].message_id(), env().publisher->MessageId("wamid.it-text-1"));
    // The customer's window is open from now on.
    auto last = env().window->LastInbound(Conv(wa));
    ASSERT_TRUE(last.ok());
    EXPECT_TRUE(WindowOpen(*last, std::chrono::system_clock::now()));

    // Meta's retry of the same notification: 200, nothing new. A later message of the same
    // conversation (same partition, so after it in order) proves nothing was in between.
    auto again = PostWebhook(TextWebhook(wa, "wamid.it-text-1", "Does it come in another color?"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 200);
    ASSERT_EQ(PostWebhook(TextWebhook(wa, "wamid.it-text-2", "and in blue?"))->status, 200);
    ASSERT_TRUE(WaitInbound(Conv(wa), "wamid.it-text-2"));
    msgs = InboundOf(Conv(wa));
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].channel_message_id(), "wamid.it-text-1");
    EXPECT_EQ(msgs[1].channel_message_id(), "wamid.it-text-2");
}

TEST_F(WhatsAppGatewayIT, BatchOfMixedMessagesIsAllPublishedWithAttachments) {
    auto r = PostWebhook(test_support::kMixedMessages);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_TRUE(WaitInbound(Conv("16505551234"), "wamid.unsupported1"));
    ASSERT_TRUE(WaitInbound(Conv("16505556789"), "wamid.doc1"));
    const auto doc = InboundOf(Conv("16505556789"));
    ASSERT_EQ(doc.size(), 1u);
    EXPECT_EQ(doc[0].text(), "my invoice");
    ASSERT_EQ(doc[0].attachments_size(), 1);
    EXPECT_EQ(doc[0].attachments(0).kind(), "document");
    EXPECT_EQ(doc[0].attachments(0).file_id(), "1155279416133426");
    EXPECT_EQ(doc[0].customer().display_name(), "Pablo Morales");
    EXPECT_EQ(InboundOf(Conv("16505551234")).size(), 9u);
}

TEST_F(WhatsAppGatewayIT, ForgedOrMissingSignatureIsRefusedAndNothingIsPublished) {
    const std::string wa = "16505550002";
    const double before = Metric("switchboard_gateway_requests_rejected_total",
                                 {{"channel", "whatsapp"}, {"reason", "bad_signature"}});
    const std::string body = TextWebhook(wa, "wamid.it-forged-1", "transfer all my money");
    auto forged = PostWebhook(body, "sha256=" + channel::HmacSha256Hex("not-the-app-secret", body));
    ASSERT_TRUE(forged.ok());
    EXPECT_EQ(forged->status, 403);
    auto missing = PostWebhook(body, std::string());
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->status, 401);
    // A body changed after signing.
    auto tampered = PostWebhook(TextWebhook(wa, "wamid.it-forged-1", "transfer all my money!"),
                                "sha256=" + channel::HmacSha256Hex(kAppSecret, body));
    EXPECT_EQ(tampered->status, 403);
    EXPECT_EQ(Metric("switchboard_gateway_requests_rejected_total",
                     {{"channel", "whatsapp"}, {"reason", "bad_signature"}}),
              before + 3);

    ASSERT_EQ(PostWebhook(TextWebhook(wa, "wamid.it-forged-sentinel", "hello"))->status, 200);
    ASSERT_TRUE(WaitInbound(Conv(wa), "wamid.it-forged-sentinel"));
    const auto msgs = InboundOf(Conv(wa));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].channel_message_id(), "wamid.it-forged-sentinel");
    // The forged one was never claimed: the real message with that id is still accepted.
    ASSERT_EQ(PostWebhook(body)->status, 200);
    EXPECT_TRUE(WaitInbound(Conv(wa), "wamid.it-forged-1"));
}

TEST_F(WhatsAppGatewayIT, MalformedOrOversizedBodiesAreRefusedWithAReason) {
    auto bad = PostWebhook("{not json");
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400);
    EXPECT_NE(bad->body.find("invalid_payload"), std::string::npos);
    EXPECT_GE(Metric("switchboard_gateway_requests_rejected_total",
                     {{"channel", "whatsapp"}, {"reason", "invalid_payload"}}),
              1);
    auto huge = PostWebhook(TextWebhook("16505550003", "wamid.it-huge", std::string(20000, 'a')));
    ASSERT_TRUE(huge.ok());
    EXPECT_EQ(huge->status, 413);
}

TEST_F(WhatsAppGatewayIT, StatusesBecomeChannelStatusEventsOncePerWamidAndStatus) {
    const std::string wa = "16505550004";
    ASSERT_TRUE(env().deliveries->MarkDelivered("r-status-1", "wamid.it-ours-1").ok());
    // The same receipt listed twice in one POST counts once (and does not block the POST).
    const std::string body = StatusWebhook({{"wamid.it-ours-1", "sent", wa},
                                            {"wamid.it-ours-1", "sent", wa},
                                            {"wamid.it-ours-1", "delivered", wa},
                                            {"wamid.it-unknown-1", "failed", wa}});
    auto r = PostWebhook(body);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_TRUE(WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) {
        return ev.has_channel_status() && ev.channel_status().status() == chat::ChannelStatus::STATUS_FAILED;
    }));
    auto evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 3u);
    EXPECT_EQ(evs[0].channel_status().reply_id(), "r-status-1");
    EXPECT_EQ(evs[0].channel_status().channel_message_id(), "wamid.it-ours-1");
    EXPECT_EQ(evs[0].channel_status().status(), chat::ChannelStatus::STATUS_SENT);
    EXPECT_EQ(events::ToUnixMillis(evs[0].channel_status().at()), 1750263773000);
    EXPECT_EQ(evs[1].channel_status().status(), chat::ChannelStatus::STATUS_DELIVERED);
    EXPECT_EQ(evs[2].channel_status().reply_id(), "");  // not a message we sent
    EXPECT_EQ(evs[2].channel_status().error(), "131026 Message undeliverable");

    // Meta's retry: 200 and no new events; a read receipt after it is the only addition.
    ASSERT_EQ(PostWebhook(body)->status, 200);
    ASSERT_EQ(PostWebhook(StatusWebhook({{"wamid.it-ours-1", "read", wa}}))->status, 200);
    ASSERT_TRUE(WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) {
        return ev.has_channel_status() && ev.channel_status().status() == chat::ChannelStatus::STATUS_READ;
    }));
    evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 4u);
    EXPECT_EQ(evs[3].channel_status().reply_id(), "r-status-1");
}

TEST_F(WhatsAppGatewayIT, ReplyIsPostedOnceAndReportedDelivered) {
    const std::string wa = "16505550005";
    ASSERT_EQ(PostWebhook(TextWebhook(wa, "wamid.it-out-1", "how do I reset my password"))->status, 200);
    Reply(Conv(wa), "r-out-1", "Open nimbus.example/reset.");
    ASSERT_TRUE(
        WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) { return ev.has_reply_delivered(); }));
    const auto posts = env().fake.RequestsTo(wa);
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].phone_number_id, kNumber);
    EXPECT_EQ(posts[0].authorization, std::string("Bearer ") + kAccessToken);
    EXPECT_EQ(posts[0].type, "text");
    EXPECT_EQ(posts[0].text, "Open nimbus.example/reset.");
    const auto evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 1u);
    EXPECT_EQ(evs[0].reply_delivered().reply_id(), "r-out-1");
    EXPECT_EQ(evs[0].reply_delivered().responder(), chat::RESPONDER_BOT);

    // The receipt for the wamid the fake answered maps back to our reply.
    ASSERT_EQ(PostWebhook(StatusWebhook({{posts[0].answered_message_id, "delivered", wa}}))->status, 200);
    ASSERT_TRUE(WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) {
        return ev.has_channel_status() && ev.channel_status().reply_id() == "r-out-1";
    }));
}

TEST_F(WhatsAppGatewayIT, RateLimitedSendIsRetriedAndDeliveredOnce) {
    const std::string wa = "16505550006";
    ASSERT_EQ(PostWebhook(TextWebhook(wa, "wamid.it-rl-1", "pricing?"))->status, 200);
    env().fake.Script({test_support::FakeGraphApi::RateLimited(), test_support::FakeGraphApi::ServerError()});
    Reply(Conv(wa), "r-rl-1", "Free, Plus and Team.");
    ASSERT_TRUE(
        WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) { return ev.has_reply_delivered(); }));
    const auto posts = env().fake.RequestsTo(wa);
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_EQ(posts[0].answered_status, 400);
    EXPECT_EQ(posts[1].answered_status, 500);
    EXPECT_EQ(posts[2].answered_status, 200);
    const auto evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 1u);
    EXPECT_EQ(evs[0].reply_delivered().reply_id(), "r-rl-1");
    EXPECT_TRUE(WaitMetricAtLeast("switchboard_gateway_replies_delivered_total",
                                  {{"channel", "whatsapp"}, {"responder", "bot"}}, 1));
}

TEST_F(WhatsAppGatewayIT, ClosedWindowFailsTheReplyAndHandsABotReplyToAHuman) {
    // The customer last wrote 25 hours ago.
    const std::string wa = "16505550007";
    const auto old = std::chrono::system_clock::now() - 25h;
    ASSERT_EQ(
        PostWebhook(
            TextWebhook(wa, "wamid.it-old-1", "hello?",
                        std::chrono::duration_cast<std::chrono::seconds>(old.time_since_epoch()).count()))
            ->status,
        200);
    Reply(Conv(wa), "r-late-1", "Sorry for the wait!");
    ASSERT_TRUE(
        WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) { return ev.has_handoff_requested(); }));
    auto evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 2u);
    EXPECT_EQ(evs[0].reply_failed().reply_id(), "r-late-1");
    EXPECT_EQ(evs[0].reply_failed().reason(), "window_closed");
    EXPECT_EQ(evs[1].handoff_requested().reason(), chat::HANDOFF_REASON_CHANNEL_WINDOW_CLOSED);
    EXPECT_EQ(evs[1].handoff_requested().text(), "Sorry for the wait!");
    EXPECT_EQ(evs[1].handoff_requested().message_id(), "m-r-late-1");

    // An operator's free-form reply is not sent either, and no new handoff is asked for.
    Reply(Conv(wa), "r-late-op", "Hi, Anna here", chat::RESPONDER_OPERATOR);
    ASSERT_TRUE(WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) {
        return ev.has_reply_failed() && ev.reply_failed().reply_id() == "r-late-op";
    }));
    evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 3u);
    EXPECT_EQ(evs[2].reply_failed().reason(), "window_closed");
    EXPECT_EQ(evs[2].reply_failed().responder(), chat::RESPONDER_OPERATOR);
    EXPECT_TRUE(env().fake.RequestsTo(wa).empty());
    EXPECT_TRUE(
        WaitMetricAtLeast("switchboard_whatsapp_window_closed_total", {{"responder", "operator"}}, 1));
}

TEST_F(WhatsAppGatewayIT, PlatformReengagementErrorAlsoClosesTheWindow) {
    const std::string wa = "16505550008";
    ASSERT_EQ(PostWebhook(TextWebhook(wa, "wamid.it-131047", "hi"))->status, 200);
    env().fake.Script({test_support::FakeGraphApi::Reengagement()});
    Reply(Conv(wa), "r-131047", "Hello!");
    ASSERT_TRUE(
        WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) { return ev.has_handoff_requested(); }));
    const auto evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 2u);
    EXPECT_EQ(evs[0].reply_failed().reason(), "window_closed");
    EXPECT_NE(evs[0].reply_failed().platform_response().find("131047"), std::string::npos);
    EXPECT_EQ(env().fake.RequestsTo(wa).size(), 1u);
}

TEST_F(WhatsAppGatewayIT, RejectedReplyFailsWithTheCodeAndMessage) {
    const std::string wa = "16505550009";
    ASSERT_EQ(PostWebhook(TextWebhook(wa, "wamid.it-rej", "hi"))->status, 200);
    env().fake.Script({test_support::FakeGraphApi::InvalidRecipient()});
    Reply(Conv(wa), "r-rej", "Hello!");
    ASSERT_TRUE(WaitEvent(Conv(wa), [](const chat::ConversationEvent& ev) { return ev.has_reply_failed(); }));
    const auto evs = EventsOf(Conv(wa));
    ASSERT_EQ(evs.size(), 1u);
    EXPECT_EQ(evs[0].reply_failed().reason(), "rejected");
    EXPECT_EQ(evs[0].reply_failed().platform_response(), "131026 (#131026) Message undeliverable");
    EXPECT_EQ(env().fake.RequestsTo(wa).size(), 1u);
}

}  // namespace
}  // namespace switchboard::gateway_whatsapp
