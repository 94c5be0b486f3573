#include "whatsapp_sender.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "switchboard/channel/probe.hpp"
#include "switchboard/chat/v1/events.pb.h"

namespace switchboard::gateway_whatsapp {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace chat = switchboard::chat::v1;
using Kind = channel::SendAttempt::Kind;

const Clock::TimePoint kNow = Clock::TimePoint(std::chrono::seconds(1750000000));
constexpr const char* kConv = "wa-106540352242922-16505551234";

TEST(Window, OpenWithin24HoursOfTheCustomersLastMessage) {
    EXPECT_TRUE(WindowOpen(kNow - 1h, kNow));
    EXPECT_TRUE(WindowOpen(kNow - 23h - 59min, kNow));
    EXPECT_FALSE(WindowOpen(kNow - 24h, kNow));
    EXPECT_FALSE(WindowOpen(kNow - 30h, kNow));
    EXPECT_FALSE(WindowOpen(std::nullopt, kNow));  // never wrote (or too long ago to remember)
    EXPECT_TRUE(WindowOpen(kNow + 5s, kNow));      // a clock a little ahead of ours
}

TEST(Window, MarginClosesItEarly) {
    EXPECT_TRUE(WindowOpen(kNow - 23h - 58min, kNow, 60s));
    EXPECT_FALSE(WindowOpen(kNow - 23h - 59min - 30s, kNow, 60s));
}

chat::OutboundMessage Reply(chat::Responder responder, chat::OutboundKind kind = chat::OUTBOUND_KIND_REPLY,
                            const std::string& conv = kConv) {
    chat::OutboundMessage out;
    out.mutable_envelope()->set_conversation_id(conv);
    out.mutable_envelope()->set_trace_id("trace-1");
    out.set_reply_id("r-1");
    out.set_in_reply_to("m-1");
    out.set_text("Open nimbus.example/reset and follow the link.");
    out.set_responder(responder);
    out.set_kind(kind);
    if (responder == chat::RESPONDER_OPERATOR) out.set_operator_id("op-anna");
    return out;
}

TEST(WindowClosedAttempt, BotReplyIsHandedToAHuman) {
    const events::Naming naming("t1");
    const auto a = WindowClosedAttempt(Reply(chat::RESPONDER_BOT), "closed", naming, kNow);
    EXPECT_EQ(a.kind, Kind::kFailed);
    EXPECT_EQ(a.reason, "window_closed");
    EXPECT_EQ(a.platform_response, "closed");
    ASSERT_EQ(a.extra_events.size(), 1u);
    EXPECT_EQ(a.extra_events[0].topic, naming.Events());
    EXPECT_EQ(a.extra_events[0].key, kConv);
    chat::ConversationEvent ev;
    ASSERT_TRUE(ev.ParseFromString(a.extra_events[0].value));
    ASSERT_TRUE(ev.has_handoff_requested());
    EXPECT_EQ(ev.handoff_requested().reason(), chat::HANDOFF_REASON_CHANNEL_WINDOW_CLOSED);
    EXPECT_EQ(ev.handoff_requested().message_id(), "m-1");
    EXPECT_EQ(ev.handoff_requested().text(), "Open nimbus.example/reset and follow the link.");
    EXPECT_EQ(ev.envelope().conversation_id(), kConv);
    EXPECT_EQ(ev.envelope().channel(), common::v1::CHANNEL_WHATSAPP);
    EXPECT_EQ(ev.envelope().trace_id(), "trace-1");
    EXPECT_FALSE(ev.envelope().event_id().empty());
    // A retry of the same reply yields the same event id (consumers deduplicate on it).
    chat::ConversationEvent again;
    ASSERT_TRUE(again.ParseFromString(
        WindowClosedAttempt(Reply(chat::RESPONDER_BOT), "x", naming, kNow + 1s).extra_events.at(0).value));
    EXPECT_EQ(again.envelope().event_id(), ev.envelope().event_id());
}

TEST(WindowClosedAttempt, OperatorReplyAndBotNoticeOnlyFail) {
    const events::Naming naming;
    const auto op = WindowClosedAttempt(Reply(chat::RESPONDER_OPERATOR), "closed", naming, kNow);
    EXPECT_EQ(op.reason, "window_closed");
    EXPECT_TRUE(op.extra_events.empty());
    const auto notice =
        WindowClosedAttempt(Reply(chat::RESPONDER_BOT, chat::OUTBOUND_KIND_NOTICE), "closed", naming, kNow);
    EXPECT_EQ(notice.reason, "window_closed");
    EXPECT_TRUE(notice.extra_events.empty());
}

class FakeWindow final : public CustomerWindowStore {
public:
    Status RecordInbound(const std::string& conv, Clock::TimePoint at) override {
        std::lock_guard lock(mu_);
        last_[conv] = at;
        return Status::Ok();
    }
    Result<std::optional<Clock::TimePoint>> LastInbound(const std::string& conv) override {
        std::lock_guard lock(mu_);
        if (fail_) return Error::Retryable("redis down");
        auto it = last_.find(conv);
        return it == last_.end() ? std::optional<Clock::TimePoint>{} : std::optional(it->second);
    }
    bool fail_ = false;

private:
    std::mutex mu_;
    std::map<std::string, Clock::TimePoint> last_;
};

struct Posted {
    std::string url, content_type, body;
    std::vector<std::string> headers;
};

class SenderTest : public ::testing::Test {
protected:
    SenderTest()
        : probe_(registry_, "whatsapp"),
          wa_probe_(registry_),
          clock_(kNow),
          sender_(
              [this](const std::string& url, const std::string& ct, const std::string& body,
                     const std::vector<std::string>& headers) -> Result<channel::PlatformResponse> {
                  posted_.push_back({url, ct, body, headers});
                  return answer_;
              },
              "EAAG-token", window_, naming_, clock_, probe_, wa_probe_, Options()) {}

    static WhatsAppSender::Options Options() {
        WhatsAppSender::Options o;
        o.api_base = "http://graph.test";
        o.api_version = "v21.0";
        return o;
    }

    prometheus::Registry registry_;
    channel::ChannelProbe probe_;
    WhatsAppProbe wa_probe_;
    ManualClock clock_;
    FakeWindow window_;
    events::Naming naming_{"t2"};
    std::vector<Posted> posted_;
    Result<channel::PlatformResponse> answer_ = channel::PlatformResponse{
        200, R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.sent-1"}]})", {}};
    WhatsAppSender sender_;
};

TEST_F(SenderTest, InsideTheWindowTheReplyIsPostedAndDelivered) {
    ASSERT_TRUE(window_.RecordInbound(kConv, kNow - 5min).ok());
    const auto a = sender_.Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(a.kind, Kind::kDelivered);
    EXPECT_EQ(a.platform_message_id, "wamid.sent-1");
    ASSERT_EQ(posted_.size(), 1u);
    EXPECT_EQ(posted_[0].url, "http://graph.test/v21.0/106540352242922/messages");
    EXPECT_EQ(posted_[0].content_type, "application/json");
    EXPECT_EQ(posted_[0].headers, std::vector<std::string>{"Authorization: Bearer EAAG-token"});
    const json body = json::parse(posted_[0].body);
    EXPECT_EQ(body["to"], "16505551234");
    EXPECT_EQ(body["type"], "text");
    EXPECT_EQ(body["text"]["body"], "Open nimbus.example/reset and follow the link.");
    EXPECT_EQ(body["text"]["preview_url"], false);
}

TEST_F(SenderTest, OutsideTheWindowNothingIsPostedAndABotReplyIsHandedOff) {
    ASSERT_TRUE(window_.RecordInbound(kConv, kNow - 25h).ok());
    const auto a = sender_.Send(Reply(chat::RESPONDER_BOT));
    EXPECT_TRUE(posted_.empty());
    EXPECT_EQ(a.kind, Kind::kFailed);
    EXPECT_EQ(a.reason, "window_closed");
    EXPECT_EQ(a.extra_events.size(), 1u);
}

TEST_F(SenderTest, NoRecordedCustomerMessageMeansClosed) {
    const auto a = sender_.Send(Reply(chat::RESPONDER_OPERATOR));
    EXPECT_TRUE(posted_.empty());
    EXPECT_EQ(a.reason, "window_closed");
    EXPECT_TRUE(a.extra_events.empty());
}

TEST_F(SenderTest, PlatformReengagementErrorIsWindowClosedToo) {
    ASSERT_TRUE(window_.RecordInbound(kConv, kNow - 1h).ok());
    answer_ = channel::PlatformResponse{
        400,
        R"({"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047}})",
        {}};
    const auto a = sender_.Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(posted_.size(), 1u);
    EXPECT_EQ(a.kind, Kind::kFailed);
    EXPECT_EQ(a.reason, "window_closed");
    EXPECT_EQ(a.extra_events.size(), 1u);
}

TEST_F(SenderTest, RateLimitAndTransportFailuresAreRetried) {
    ASSERT_TRUE(window_.RecordInbound(kConv, kNow - 1h).ok());
    answer_ = channel::PlatformResponse{
        400, R"({"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}})", {}};
    EXPECT_EQ(sender_.Send(Reply(chat::RESPONDER_BOT)).kind, Kind::kRetry);
    answer_ = Error::Retryable("connect: refused");
    const auto t = sender_.Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(t.kind, Kind::kRetry);
    EXPECT_NE(t.platform_response.find("connect: refused"), std::string::npos);
}

TEST_F(SenderTest, RejectionCarriesCodeAndMessage) {
    ASSERT_TRUE(window_.RecordInbound(kConv, kNow - 1h).ok());
    answer_ = channel::PlatformResponse{
        400,
        R"({"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026}})",
        {}};
    const auto a = sender_.Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(a.kind, Kind::kFailed);
    EXPECT_EQ(a.reason, "rejected");
    EXPECT_EQ(a.platform_response, "131026 (#131026) Message undeliverable");
}

TEST_F(SenderTest, ConversationWithoutAWhatsAppAddressFails) {
    const auto a = sender_.Send(Reply(chat::RESPONDER_BOT, chat::OUTBOUND_KIND_REPLY, "web-123"));
    EXPECT_EQ(a.kind, Kind::kFailed);
    EXPECT_EQ(a.reason, "no_address");
    EXPECT_TRUE(posted_.empty());
}

TEST(RateKey, IsTheBusinessPhoneNumber) {
    EXPECT_EQ(WhatsAppSender::RateKey(Reply(chat::RESPONDER_BOT)), "106540352242922");
    EXPECT_EQ(WhatsAppSender::RateKey(Reply(chat::RESPONDER_BOT, chat::OUTBOUND_KIND_REPLY, "web-1")),
              "web-1");
}

TEST_F(SenderTest, UnknownWindowIsRetriedNotGuessed) {
    window_.fail_ = true;
    EXPECT_EQ(sender_.Send(Reply(chat::RESPONDER_BOT)).kind, Kind::kRetry);
    EXPECT_TRUE(posted_.empty());
}

}  // namespace
}  // namespace switchboard::gateway_whatsapp
