// The adapters' pure parts: inbound message building, reply composition, relay outcome mapping,
// and EmailOutbound over a fake relay and store.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "email_inbound.hpp"
#include "email_outbound.hpp"
#include "fake_thread_store.hpp"
#include "smtp_relay.hpp"
#include "threading.hpp"

namespace switchboard::gateway_email {
namespace {

namespace chat = switchboard::chat::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ParsedEmail Email() {
    ParsedEmail e;
    e.message_id = "m2@customer.test";
    e.in_reply_to = "sb.1@example.com";
    e.references = {"m1@customer.test", "sb.1@example.com"};
    e.from_address = "alice@customer.test";
    e.from_name = "Alice";
    e.reply_to = "alice@customer.test";
    e.subject = "Re: Password reset";
    e.language = "en";
    e.text = "It still fails.\n\nOn Mon, Jan 8, 2024 at 10:02 AM Support <support@example.com> wrote:\n> try again\n";
    e.attachments.push_back({"photo", "img1@c", "image/png", "shot.png", 1234});
    return e;
}

TEST(BuildInbound, StrippedTextCustomerAttachmentsAndMetadata) {
    ReceivedMail mail;
    mail.recipients = {"support@example.com"};
    bool truncated = true;
    const auto m = BuildInbound(Email(), mail, std::chrono::system_clock::time_point(std::chrono::seconds(100)),
                                1024, truncated);
    EXPECT_FALSE(truncated);
    EXPECT_EQ(m.text(), "It still fails.");
    EXPECT_EQ(m.customer().id(), "alice@customer.test");
    EXPECT_EQ(m.customer().display_name(), "Alice");
    EXPECT_EQ(m.customer().language(), "en");
    EXPECT_EQ(m.received_at().seconds(), 100);
    ASSERT_EQ(m.attachments_size(), 1);
    EXPECT_EQ(m.attachments(0).kind(), "photo");
    EXPECT_EQ(m.attachments(0).file_name(), "shot.png");
    EXPECT_EQ(m.attachments(0).mime_type(), "image/png");
    EXPECT_EQ(m.attachments(0).size_bytes(), 1234);
    EXPECT_EQ(m.channel_metadata().at("subject"), "Re: Password reset");
    EXPECT_EQ(m.channel_metadata().at("from"), "alice@customer.test");
    EXPECT_EQ(m.channel_metadata().at("message_id"), "m2@customer.test");
    EXPECT_EQ(m.channel_metadata().at("in_reply_to"), "sb.1@example.com");
    EXPECT_EQ(m.channel_metadata().at("to"), "support@example.com");
    EXPECT_EQ(m.channel_metadata().count("reply_to"), 0u);
}

TEST(BuildInbound, FallsBackToTheSubjectAndCutsLongTextOnACharacterBoundary) {
    ParsedEmail e = Email();
    e.text = "> only quoted\n";
    bool truncated = false;
    EXPECT_EQ(BuildInbound(e, {}, {}, 1024, truncated).text(), "> only quoted");
    e.text = "";
    EXPECT_EQ(BuildInbound(e, {}, {}, 1024, truncated).text(), "Password reset");
    e.text = std::string(1023, 'a') + "ж";  // the 2-byte letter straddles the limit
    const auto m = BuildInbound(e, {}, {}, 1024, truncated);
    EXPECT_TRUE(truncated);
    EXPECT_EQ(m.text(), std::string(1023, 'a'));
    EXPECT_EQ(m.channel_metadata().at("text_truncated"), "true");
}

chat::OutboundMessage Reply(chat::Responder responder, std::string operator_name = "") {
    chat::OutboundMessage out;
    out.mutable_envelope()->set_conversation_id("em-1");
    out.set_reply_id("r-42");
    out.set_text("Open Settings → Security.");
    out.set_responder(responder);
    out.set_operator_name(std::move(operator_name));
    return out;
}

ThreadState Thread() {
    ThreadState t;
    t.customer = "alice@customer.test";
    t.customer_name = "Alice";
    t.reply_to = "alice+support@customer.test";
    t.subject = "Password reset";
    t.last_message_id = "m2@customer.test";
    t.references = {"m1@customer.test", "sb.1@example.com"};
    return t;
}

TEST(ComposeReply, ThreadsIntoTheCustomersLastMessage) {
    OutboundOptions o;
    o.from_address = "support@example.com";
    const OutgoingEmail e = ComposeReply(Reply(chat::RESPONDER_BOT), Thread(), o, {});
    EXPECT_EQ(e.to_address, "alice+support@customer.test");
    EXPECT_EQ(e.subject, "Re: Password reset");
    EXPECT_EQ(e.in_reply_to, "m2@customer.test");
    EXPECT_THAT(e.references, ElementsAre("m1@customer.test", "sb.1@example.com", "m2@customer.test"));
    EXPECT_EQ(e.message_id, ReplyMessageId("r-42", "example.com"));
    EXPECT_TRUE(e.auto_submitted);
    EXPECT_EQ(e.body, "Open Settings → Security.\n");
}

TEST(ComposeReply, OperatorRepliesAreSignedAndNotAutoSubmitted) {
    OutboundOptions o;
    o.from_address = "support@example.com";
    o.message_id_domain = "mail.example.net";
    o.operator_signature = "{name}\nExample support";
    const OutgoingEmail e = ComposeReply(Reply(chat::RESPONDER_OPERATOR, "Anna"), Thread(), o, {});
    EXPECT_FALSE(e.auto_submitted);
    EXPECT_EQ(e.body, "Open Settings → Security.\n\n-- \nAnna\nExample support\n");
    EXPECT_THAT(e.message_id, ::testing::EndsWith("@mail.example.net"));
    o.operator_signature.clear();
    EXPECT_EQ(ComposeReply(Reply(chat::RESPONDER_OPERATOR, "Anna"), Thread(), o, {}).body,
              "Open Settings → Security.\n");
}

TEST(ClassifyRelayOutcome, CodesAndTransportErrors) {
    EXPECT_EQ(ClassifyRelayOutcome(CURLE_OK, 250, "250 2.0.0 OK", "").kind, RelayResult::Kind::kSent);
    auto rejected = ClassifyRelayOutcome(CURLE_SEND_ERROR, 550, "550 5.1.1 <x@y>: user unknown", "RCPT failed");
    EXPECT_EQ(rejected.kind, RelayResult::Kind::kPermanent);
    EXPECT_EQ(rejected.response, "550 5.1.1 <x@y>: user unknown");
    EXPECT_EQ(ClassifyRelayOutcome(CURLE_RECV_ERROR, 554, "554 5.6.0 no", "").kind, RelayResult::Kind::kPermanent);
    EXPECT_EQ(ClassifyRelayOutcome(CURLE_SEND_ERROR, 451, "451 4.3.0 later", "").kind, RelayResult::Kind::kTemporary);
    auto down = ClassifyRelayOutcome(CURLE_COULDNT_CONNECT, 0, "", "Failed to connect to 127.0.0.1 port 1");
    EXPECT_EQ(down.kind, RelayResult::Kind::kTemporary);
    EXPECT_EQ(down.response, "Failed to connect to 127.0.0.1 port 1");
    EXPECT_EQ(ClassifyRelayOutcome(CURLE_OPERATION_TIMEDOUT, 0, "", "").kind, RelayResult::Kind::kTemporary);
    EXPECT_EQ(ClassifyRelayOutcome(CURLE_LOGIN_DENIED, 535, "535 5.7.8 bad credentials", "").kind,
              RelayResult::Kind::kTemporary);
}

class ScriptedRelay final : public MailRelay {
public:
    RelayResult Send(const std::string& from, const std::string& to, const std::string& message) override {
        sent.push_back({from, to, message});
        return next;
    }
    struct Sent {
        std::string from, to, message;
    };
    std::vector<Sent> sent;
    RelayResult next{RelayResult::Kind::kSent, 250, "250 OK"};
};

class EmailOutboundTest : public ::testing::Test {
protected:
    EmailOutboundTest() {
        OutboundOptions o;
        o.from_address = "support@example.com";
        outbound_ = std::make_unique<EmailOutbound>(store_, relay_, probe_, clock_, o);
    }
    prometheus::Registry registry_;
    channel::ChannelProbe probe_{registry_, "email"};
    FakeThreadStore store_;
    ScriptedRelay relay_;
    ManualClock clock_;
    std::unique_ptr<EmailOutbound> outbound_;
};

TEST_F(EmailOutboundTest, SendsRemembersItsMessageIdAndMapsRelayOutcomes) {
    ASSERT_TRUE(store_.RecordInbound("em-1", "m2@customer.test", Thread()).ok());
    auto a = outbound_->Send(Reply(chat::RESPONDER_BOT));
    ASSERT_EQ(a.kind, channel::SendAttempt::Kind::kDelivered) << a.platform_response;
    const std::string id = ReplyMessageId("r-42", "example.com");
    EXPECT_EQ(a.platform_message_id, id);
    ASSERT_EQ(relay_.sent.size(), 1u);
    EXPECT_EQ(relay_.sent[0].from, "support@example.com");
    EXPECT_EQ(relay_.sent[0].to, "alice+support@customer.test");
    EXPECT_THAT(relay_.sent[0].message, HasSubstr("In-Reply-To: <m2@customer.test>\r\n"));
    EXPECT_EQ(store_.FindConversation({id})->value_or(""), "em-1");

    relay_.next = {RelayResult::Kind::kTemporary, 451, "451 4.3.0 later"};
    auto retry = outbound_->Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(retry.kind, channel::SendAttempt::Kind::kRetry);
    relay_.next = {RelayResult::Kind::kPermanent, 550, "550 5.1.1 unknown user"};
    auto failed = outbound_->Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(failed.kind, channel::SendAttempt::Kind::kFailed);
    EXPECT_EQ(failed.reason, "rejected");
    EXPECT_EQ(failed.platform_response, "550 5.1.1 unknown user");
}

TEST_F(EmailOutboundTest, UnknownThreadFailsAndStoreErrorsRetry) {
    auto a = outbound_->Send(Reply(chat::RESPONDER_BOT));
    EXPECT_EQ(a.kind, channel::SendAttempt::Kind::kFailed);
    EXPECT_EQ(a.reason, "no_address");
    EXPECT_TRUE(relay_.sent.empty());
    store_.fail = true;
    EXPECT_EQ(outbound_->Send(Reply(chat::RESPONDER_BOT)).kind, channel::SendAttempt::Kind::kRetry);
}

}  // namespace
}  // namespace switchboard::gateway_email
