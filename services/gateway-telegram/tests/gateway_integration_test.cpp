// TelegramGateway (the object graph main.cpp runs) on the real Kafka and Redis of the local stack,
// in a namespace of its own, with the fake Bot API: webhook in → chat.inbound.v1, and
// chat.outbound.telegram.v1 → sendMessage → ReplyDelivered / ReplyFailed on chat.events.v1.
// "Nothing else happened" is checked by a later sentinel in the same conversation (same Kafka
// partition, so it arrives after anything the first one caused), never by waiting a while.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "fake_bot_api.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/events/naming.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/redis/client.hpp"
#include "switchboard/testing/environment.hpp"
#include "telegram_gateway.hpp"

namespace switchboard::gateway_telegram {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace chat = switchboard::chat::v1;

constexpr const char* kToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";
constexpr const char* kSecret = "integration_secret-1";
constexpr auto kWait = 30s;

// Every record seen on the watched topics, decoded.
class Watcher {
public:
    Watcher(const events::Naming& naming) {
        consumer_ = kafka::MakeConsumer({switchboard::testing::KafkaBrokers(),
                                         naming.Group("watch"),
                                         "watch",
                                         {naming.Inbound(), naming.Events()},
                                         "earliest",
                                         {}},
                                        [this, inbound = naming.Inbound()](const kafka::Record& r) {
                                            std::lock_guard lock(mu_);
                                            if (r.topic == inbound) {
                                                chat::InboundMessage m;
                                                if (m.ParseFromString(r.value))
                                                    inbound_.push_back({r.key, m});
                                            } else {
                                                chat::ConversationEvent e;
                                                if (e.ParseFromString(r.value)) events_.push_back(e);
                                            }
                                            changed_.notify_all();
                                            return Status::Ok();
                                        });
        consumer_->Start();
    }
    ~Watcher() { consumer_->Stop(); }

    struct Inbound {
        std::string key;
        chat::InboundMessage message;
    };

    bool WaitInbound(const std::function<bool(const std::vector<Inbound>&)>& done) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kWait, [&] { return done(inbound_); });
    }
    bool WaitEvents(const std::function<bool(const std::vector<chat::ConversationEvent>&)>& done) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kWait, [&] { return done(events_); });
    }
    std::vector<Inbound> InboundFor(const std::string& conversation_id) {
        std::lock_guard lock(mu_);
        std::vector<Inbound> out;
        for (const auto& i : inbound_) {
            if (i.message.envelope().conversation_id() == conversation_id) out.push_back(i);
        }
        return out;
    }
    std::vector<chat::ConversationEvent> EventsFor(const std::string& reply_id) {
        std::lock_guard lock(mu_);
        std::vector<chat::ConversationEvent> out;
        for (const auto& e : events_) {
            if (e.reply_delivered().reply_id() == reply_id || e.reply_failed().reply_id() == reply_id)
                out.push_back(e);
        }
        return out;
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    std::vector<Inbound> inbound_;
    std::vector<chat::ConversationEvent> events_;
    std::unique_ptr<kafka::Consumer> consumer_;
};

bool HasMessage(const std::vector<Watcher::Inbound>& seen, const std::string& channel_message_id) {
    for (const auto& i : seen) {
        if (i.message.channel_message_id() == channel_message_id) return true;
    }
    return false;
}

bool HasReport(const std::vector<chat::ConversationEvent>& seen, const std::string& reply_id) {
    for (const auto& e : seen) {
        if (e.reply_delivered().reply_id() == reply_id || e.reply_failed().reply_id() == reply_id)
            return true;
    }
    return false;
}

std::string TextUpdate(std::int64_t update_id, std::int64_t chat_id, const std::string& text) {
    return json{
        {"update_id", update_id},
        {"message",
         {{"message_id", update_id},
          {"date", 1700000000},
          {"chat", {{"id", chat_id}, {"type", "private"}}},
          {"from", {{"id", chat_id}, {"is_bot", false}, {"first_name", "Ann"}, {"language_code", "en"}}},
          {"text", text}}}}
        .dump();
}

class GatewayIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        const Status topics = kafka::EnsureTopics(switchboard::testing::KafkaBrokers(), naming_.AllTopics(3));
        ASSERT_TRUE(topics.ok()) << topics.error().message;
        producer_ = kafka::MakeProducer({switchboard::testing::KafkaBrokers(), "telegram-test", {}});
        redis::ClientConfig rc;
        rc.host = switchboard::testing::RedisHost();
        rc.port = switchboard::testing::RedisPort();
        redis_ = redis::MakeClient(rc);

        GatewaySettings s;
        s.kafka_brokers = switchboard::testing::KafkaBrokers();
        s.bot_token = kToken;
        s.webhook_secret = kSecret;
        s.sender.api_base = fake_.base_url();
        s.delivery.first_backoff = 50ms;
        s.delivery.give_up_after = 20s;
        gateway_ = std::make_unique<TelegramGateway>(s, *producer_, *redis_, naming_, clock_, registry_);
        http::ServerOptions options;
        options.max_body_bytes = 64 * 1024;
        server_ = std::make_unique<http::Server>(options);
        gateway_->RegisterRoutes(*server_);
        server_->Start();
        gateway_->Start();
        watcher_ = std::make_unique<Watcher>(naming_);
    }

    void TearDown() override {
        if (server_) server_->Stop();
        if (gateway_) gateway_->Stop();
        watcher_.reset();
    }

    Result<http::ClientResponse> PostUpdate(const std::string& body,
                                            std::optional<std::string> secret = kSecret) {
        std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
        if (secret) headers.emplace_back("X-Telegram-Bot-Api-Secret-Token", *secret);
        return http::Fetch("127.0.0.1", server_->BoundPort(), "POST", "/telegram/webhook", body, headers);
    }

    void ExpectPost(const std::string& body, int status, const std::string& answer) {
        auto r = PostUpdate(body);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->status, status) << r->body;
        if (!answer.empty()) {
            EXPECT_EQ(json::parse(r->body).value("status", ""), answer) << r->body;
        }
    }

    void ProduceReply(const std::string& conv, const std::string& reply_id, const std::string& text,
                      chat::Responder responder = chat::RESPONDER_BOT, const std::string& op = "") {
        chat::OutboundMessage m;
        events::FillEnvelope(m.mutable_envelope(), "e-" + reply_id, conv, common::v1::CHANNEL_TELEGRAM,
                             "test", "trace-" + reply_id, std::chrono::system_clock::now());
        m.set_reply_id(reply_id);
        m.set_text(text);
        m.set_responder(responder);
        m.set_operator_name(op);
        m.set_operator_id(op.empty() ? "" : "op-" + op);
        m.set_kind(chat::OUTBOUND_KIND_REPLY);
        const Status s = producer_->ProduceSync(naming_.Outbound(common::v1::CHANNEL_TELEGRAM), conv,
                                                m.SerializeAsString());
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    void WaitReported(const std::string& reply_id) {
        ASSERT_TRUE(watcher_->WaitEvents([&](const auto& seen) { return HasReport(seen, reply_id); }))
            << "no ReplyDelivered/ReplyFailed for " << reply_id;
    }

    events::Naming naming_{switchboard::testing::UniqueNamespace()};
    SystemClock clock_;
    prometheus::Registry registry_;
    testing::FakeBotApi fake_{kToken};
    std::unique_ptr<kafka::Producer> producer_;
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<TelegramGateway> gateway_;
    std::unique_ptr<http::Server> server_;
    std::unique_ptr<Watcher> watcher_;
};

TEST_F(GatewayIntegration, WebhookMessageIsPublishedOnChatInbound) {
    const std::string body = json{
        {"update_id", 900},
        {"message",
         {{"message_id", 5},
          {"date", 1700000000},
          {"chat", {{"id", 4242}, {"type", "private"}}},
          {"from", {{"id", 4242}, {"first_name", "Ann"}, {"last_name", "Lee"}, {"language_code", "de"}}},
          {"caption", "see <attached>"},
          {"document",
           {{"file_id", "BQACAgIAAxk"},
            {"file_name", "invoice.pdf"},
            {"mime_type", "application/pdf"},
            {"file_size",
             536392}}}}}}.dump();
    ExpectPost(body, 200, "accepted");
    ASSERT_TRUE(watcher_->WaitInbound([](const auto& seen) { return HasMessage(seen, "123456:900"); }));
    auto got = watcher_->InboundFor("tg-4242");
    ASSERT_EQ(got.size(), 1u);
    const auto& m = got[0].message;
    EXPECT_EQ(got[0].key, "tg-4242");
    EXPECT_EQ(m.envelope().channel(), common::v1::CHANNEL_TELEGRAM);
    EXPECT_EQ(m.envelope().producer(), "gateway-telegram");
    EXPECT_FALSE(m.message_id().empty());
    EXPECT_EQ(m.text(), "see <attached>");
    EXPECT_EQ(m.customer().id(), "4242");
    EXPECT_EQ(m.customer().display_name(), "Ann Lee");
    EXPECT_EQ(m.customer().language(), "de");
    ASSERT_EQ(m.attachments_size(), 1);
    EXPECT_EQ(m.attachments(0).kind(), "document");
    EXPECT_EQ(m.attachments(0).file_id(), "BQACAgIAAxk");
    EXPECT_EQ(m.attachments(0).file_name(), "invoice.pdf");
    EXPECT_EQ(m.attachments(0).mime_type(), "application/pdf");
    EXPECT_EQ(m.attachments(0).size_bytes(), 536392);
    EXPECT_EQ(m.channel_metadata().at("telegram.chat_type"), "private");
}

TEST_F(GatewayIntegration, RepeatedUpdateIdIsPublishedOnce) {
    ExpectPost(TextUpdate(1001, 5151, "how do I reset my password?"), 200, "accepted");
    ExpectPost(TextUpdate(1001, 5151, "how do I reset my password?"), 200, "duplicate");
    ExpectPost(TextUpdate(1001, 5151, "how do I reset my password?"), 200, "duplicate");
    ExpectPost(TextUpdate(1002, 5151, "sentinel"), 200, "accepted");
    ASSERT_TRUE(watcher_->WaitInbound([](const auto& seen) { return HasMessage(seen, "123456:1002"); }));
    auto got = watcher_->InboundFor("tg-5151");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].message.channel_message_id(), "123456:1001");
    EXPECT_EQ(got[1].message.channel_message_id(), "123456:1002");
}

TEST_F(GatewayIntegration, ForgedOrMissingSecretIsRefusedAndNothingIsPublished) {
    auto forged = PostUpdate(TextUpdate(2001, 6161, "forged"), "not-the-secret");
    ASSERT_TRUE(forged.ok());
    EXPECT_EQ(forged->status, 403);
    auto missing = PostUpdate(TextUpdate(2002, 6161, "missing"), std::nullopt);
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->status, 401);
    ExpectPost(TextUpdate(2003, 6161, "sentinel"), 200, "accepted");
    ASSERT_TRUE(watcher_->WaitInbound([](const auto& seen) { return HasMessage(seen, "123456:2003"); }));
    auto got = watcher_->InboundFor("tg-6161");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.text(), "sentinel");
}

TEST_F(GatewayIntegration, OversizedAndMalformedBodiesGetA4xxJsonReason) {
    auto huge = PostUpdate(TextUpdate(3001, 7171, std::string(100000, 'a')));
    ASSERT_TRUE(huge.ok());
    EXPECT_EQ(huge->status, 413);
    EXPECT_TRUE(json::parse(huge->body).contains("error")) << huge->body;
    auto bad = PostUpdate("{\"update_id\": 3002, \"message\": ");
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(json::parse(bad->body)["error"], "invalid_json");
    ExpectPost(TextUpdate(3003, 7171, "sentinel"), 200, "accepted");
    ASSERT_TRUE(watcher_->WaitInbound([](const auto& seen) { return HasMessage(seen, "123456:3003"); }));
    EXPECT_EQ(watcher_->InboundFor("tg-7171").size(), 1u);
}

TEST_F(GatewayIntegration, ReplyIsSentOnceAndReportedDelivered) {
    ProduceReply("tg-777", "r-once", "Open <Settings> & reset");
    ProduceReply("tg-777", "r-once", "Open <Settings> & reset");  // redelivered record
    ProduceReply("tg-777", "r-sentinel", "sentinel", chat::RESPONDER_OPERATOR, "Anna");
    WaitReported("r-once");
    WaitReported("r-sentinel");
    auto sent = fake_.Delivered(777);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].plain_text, "Open <Settings> & reset");
    EXPECT_EQ(sent[0].text, "Open &lt;Settings&gt; &amp; reset");
    EXPECT_EQ(sent[0].parse_mode, "HTML");
    EXPECT_EQ(sent[1].text, "<b>Anna</b>: sentinel");
    auto reports = watcher_->EventsFor("r-once");
    ASSERT_EQ(reports.size(), 1u);
    ASSERT_TRUE(reports[0].has_reply_delivered());
    EXPECT_EQ(reports[0].envelope().conversation_id(), "tg-777");
    EXPECT_EQ(reports[0].envelope().channel(), common::v1::CHANNEL_TELEGRAM);
    EXPECT_EQ(reports[0].reply_delivered().responder(), chat::RESPONDER_BOT);
}

TEST_F(GatewayIntegration, TooManyRequestsIsRetriedAfterRetryAfterAndDeliveredOnce) {
    fake_.Enqueue429(1);
    ProduceReply("tg-778", "r-429", "after a pause");
    WaitReported("r-429");
    auto reports = watcher_->EventsFor("r-429");
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_TRUE(reports[0].has_reply_delivered());
    auto calls = fake_.Calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].status, 429);
    EXPECT_EQ(calls[1].status, 200);
    EXPECT_EQ(fake_.Delivered(778).size(), 1u);
}

TEST_F(GatewayIntegration, ServerErrorIsRetriedAndDeliveredOnce) {
    fake_.Enqueue500();
    fake_.Enqueue500();
    ProduceReply("tg-779", "r-500", "eventually");
    WaitReported("r-500");
    EXPECT_TRUE(watcher_->EventsFor("r-500").at(0).has_reply_delivered());
    EXPECT_EQ(fake_.Calls().size(), 3u);
    EXPECT_EQ(fake_.Delivered(779).size(), 1u);
}

TEST_F(GatewayIntegration, BlockedBotIsReportedFailedNotRetried) {
    fake_.BlockChat(780);
    ProduceReply("tg-780", "r-403", "you blocked me");
    WaitReported("r-403");
    auto reports = watcher_->EventsFor("r-403");
    ASSERT_EQ(reports.size(), 1u);
    ASSERT_TRUE(reports[0].has_reply_failed());
    EXPECT_EQ(reports[0].reply_failed().reason(), "rejected");
    EXPECT_EQ(reports[0].reply_failed().platform_response(), "403 Forbidden: bot was blocked by the user");
    EXPECT_EQ(fake_.Calls().size(), 1u);
}

TEST_F(GatewayIntegration, LongReplyArrivesInPartsTelegramAccepts) {
    std::string text;
    while (text.size() < 9000) text += "Step " + std::to_string(text.size()) + ": open <Menu> & tap it.\n";
    ProduceReply("tg-781", "r-long", text);
    WaitReported("r-long");
    EXPECT_TRUE(watcher_->EventsFor("r-long").at(0).has_reply_delivered());
    auto sent = fake_.Delivered(781);
    ASSERT_EQ(sent.size(), 3u);
    std::string joined;
    for (const auto& s : sent) joined += s.plain_text + "\n";
    EXPECT_EQ(joined, text);
    EXPECT_EQ(fake_.Calls().size(), 3u);  // none refused (too long, bad HTML)
}

}  // namespace
}  // namespace switchboard::gateway_telegram
