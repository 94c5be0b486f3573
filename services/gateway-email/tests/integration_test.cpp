// gateway-email's inbound and outbound paths, assembled as main.cpp assembles them, on the real
// Kafka and Redis: mail is sent with swaks (a stock SMTP client) or a raw LMTP session, replies
// go out through libcurl to a FakeRelay.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "email_inbound.hpp"
#include "email_outbound.hpp"
#include "email_probe.hpp"
#include "fake_relay.hpp"
#include "smtp_server.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/testing/environment.hpp"
#include "switchboard/testing/records.hpp"
#include "thread_store.hpp"
#include "thread_store_contract.hpp"
#include "threading.hpp"

namespace switchboard::gateway_email {
namespace {

using namespace std::chrono_literals;
namespace chat = switchboard::chat::v1;
using ::testing::HasSubstr;

redis::ClientConfig RedisConfig() {
    redis::ClientConfig rc;
    rc.host = switchboard::testing::RedisHost();
    rc.port = switchboard::testing::RedisPort();
    return rc;
}

// ---- ThreadStore contract against Redis ------------------------------------------------------

struct Redis {
    static std::unique_ptr<ThreadStore> Make() {
        static auto client = redis::MakeClient(RedisConfig());
        return std::make_unique<RedisThreadStore>(*client, "sb:" + switchboard::testing::UniqueNamespace() + ":email:",
                                                  std::chrono::hours(1));
    }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Redis, ThreadStoreContract, Redis);

// ---- helpers -----------------------------------------------------------------------------------

struct CommandResult {
    int exit_code = -1;
    std::string output;
};

CommandResult Run(const std::string& command) {
    CommandResult r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// Sends `message` (headers and body, LF line ends) with swaks; swaks exits 0 only on 250.
CommandResult Swaks(std::uint16_t port, const std::string& message, const std::string& to = "support@example.com",
                    const std::string& from = "alice@customer.test") {
    static int n = 0;
    const std::string path = ::testing::TempDir() + "/gateway-email-" + std::to_string(getpid()) + "-" +
                             std::to_string(++n) + ".eml";
    std::ofstream(path, std::ios::binary) << message;
    return Run("swaks --silent 1 --timeout 20 --server 127.0.0.1:" + std::to_string(port) + " --from " + from +
               " --to " + to + " --data " + path);
}

// A line-oriented TCP client for talking LMTP by hand.
class LineClient {
public:
    explicit LineClient(std::uint16_t port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        timeval tv{20, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~LineClient() { close(fd_); }
    bool connected() const { return connected_; }
    void Send(const std::string& text) { (void)!write(fd_, text.data(), text.size()); }
    // The next reply line ("" on timeout or close).
    std::string Line() {
        while (true) {
            const auto nl = buf_.find("\r\n");
            if (nl != std::string::npos) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 2);
                return line;
            }
            char tmp[1024];
            const ssize_t n = read(fd_, tmp, sizeof tmp);
            if (n <= 0) return "";
            buf_.append(tmp, static_cast<std::size_t>(n));
        }
    }
    // The final line of the next (possibly multi-line) reply.
    std::string Reply() {
        std::string line;
        do {
            line = Line();
        } while (line.size() > 3 && line[3] == '-');
        return line;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    std::string buf_;
};

std::string Mail(const std::string& message_id, const std::string& body, const std::string& extra_headers = "",
                 const std::string& from = "Alice <alice@customer.test>", const std::string& subject = "Password reset") {
    return "From: " + from + "\nTo: support@example.com\nSubject: " + subject + "\nMessage-ID: <" + message_id + ">\n" +
           extra_headers + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body;
}

// ---- the gateway, assembled ----------------------------------------------------------------------

class GatewayEmailTest : public ::testing::Test {
protected:
    GatewayEmailTest() : naming_(switchboard::testing::UniqueNamespace()) {
        // One partition: "record B arrived, so A (produced before it) would have" holds.
        const Status s = kafka::EnsureTopics(switchboard::testing::KafkaBrokers(), naming_.AllTopics(1));
        EXPECT_TRUE(s.ok()) << s.error().message;
        redis_ = redis::MakeClient(RedisConfig());
        producer_ = kafka::MakeProducer({switchboard::testing::KafkaBrokers(), "gateway-email-test", {}});
        threads_ = std::make_unique<RedisThreadStore>(*redis_, naming_.RedisPrefix() + "email:", std::chrono::hours(1));
        ledger_ = std::make_unique<channel::InboundLedger>(*redis_, naming_.RedisPrefix(), "email");
        publisher_ = std::make_unique<channel::InboundPublisher>(*producer_, *ledger_, naming_,
                                                                 common::v1::CHANNEL_EMAIL, "gateway-email", channel_probe_);
        inbound_ = std::make_unique<EmailInbound>(*threads_, *publisher_, channel_probe_, email_probe_, clock_,
                                                  InboundOptions{});
        SmtpServer::Options o;
        o.host = "127.0.0.1";
        o.port = 0;
        o.hostname = "mx.example.com";
        auto policy = RecipientPolicy::Parse("support@example.com").value();
        smtp_ = std::make_unique<SmtpServer>(o, policy, *inbound_, &email_probe_);
        smtp_->Start();
        o.dialect = Dialect::kLmtp;
        lmtp_ = std::make_unique<SmtpServer>(o, policy, *inbound_, &email_probe_);
        lmtp_->Start();

        CurlSmtpRelay::Options ro;
        ro.url = relay_.url();
        ro.timeout = 10s;
        curl_relay_ = std::make_unique<CurlSmtpRelay>(ro);
        OutboundOptions oo;
        oo.from_address = "support@example.com";
        oo.from_name = "Example Support";
        outbound_ = std::make_unique<EmailOutbound>(*threads_, *curl_relay_, channel_probe_, clock_, oo);
        delivery_ledger_ = std::make_unique<channel::DeliveryLedger>(*redis_, naming_.RedisPrefix(), "email");
        channel::RateLimiter::Limits limits;
        limits.per_key_per_second = 0;  // unlimited
        limits.overall_per_second = 0;
        limiter_ = std::make_unique<channel::RateLimiter>(limits);
        channel::OutboundDelivery::Options d;
        d.first_backoff = 10ms;
        d.max_backoff = 50ms;
        delivery_ = std::make_unique<channel::OutboundDelivery>(*producer_, *delivery_ledger_, *limiter_, naming_, clock_,
                                                                common::v1::CHANNEL_EMAIL, "gateway-email",
                                                                channel_probe_, d);
        consumer_ = kafka::MakeConsumer(
            {switchboard::testing::KafkaBrokers(), naming_.Group("gateway-email"), "gateway-email",
             {naming_.Outbound(common::v1::CHANNEL_EMAIL)}, "earliest", {}},
            [this](const kafka::Record& r) {
                return delivery_->Handle(r, [this](const chat::OutboundMessage& out) { return outbound_->Send(out); });
            });
        consumer_->Start();
        inbound_records_ = std::make_unique<switchboard::testing::RecordCollector>(switchboard::testing::KafkaBrokers(),
                                                                                  naming_.Inbound());
        events_ = std::make_unique<switchboard::testing::RecordCollector>(switchboard::testing::KafkaBrokers(),
                                                                         naming_.Events());
    }

    ~GatewayEmailTest() override {
        smtp_->Stop(1s);
        lmtp_->Stop(1s);
        delivery_->Stop();
        consumer_->Stop();
    }

    std::vector<chat::InboundMessage> Inbound() {
        std::vector<chat::InboundMessage> out;
        for (const auto& r : inbound_records_->Records()) {
            chat::InboundMessage m;
            if (m.ParseFromString(r.value)) out.push_back(std::move(m));
        }
        return out;
    }

    // Waits for the inbound record of `message_id` (the e-mail's Message-ID).
    std::optional<chat::InboundMessage> WaitInbound(const std::string& message_id) {
        std::optional<chat::InboundMessage> found;
        inbound_records_->WaitFor([&](const std::vector<kafka::Record>& records) {
            for (const auto& r : records) {
                chat::InboundMessage m;
                if (m.ParseFromString(r.value) && m.channel_message_id() == message_id) {
                    found = m;
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    std::size_t CountInbound(const std::string& message_id) {
        std::size_t n = 0;
        for (const auto& m : Inbound()) n += m.channel_message_id() == message_id ? 1 : 0;
        return n;
    }

    void ProduceReply(const std::string& conversation, const std::string& reply_id, const std::string& text,
                      chat::Responder responder = chat::RESPONDER_BOT, const std::string& operator_name = "") {
        chat::OutboundMessage out;
        out.mutable_envelope()->set_conversation_id(conversation);
        out.mutable_envelope()->set_channel(common::v1::CHANNEL_EMAIL);
        out.set_reply_id(reply_id);
        out.set_text(text);
        out.set_responder(responder);
        out.set_operator_name(operator_name);
        out.set_kind(chat::OUTBOUND_KIND_REPLY);
        const Status s = producer_->ProduceSync(naming_.Outbound(common::v1::CHANNEL_EMAIL), conversation,
                                                out.SerializeAsString());
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    std::optional<chat::ConversationEvent> WaitEvent(const std::function<bool(const chat::ConversationEvent&)>& match) {
        std::optional<chat::ConversationEvent> found;
        events_->WaitFor([&](const std::vector<kafka::Record>& records) {
            for (const auto& r : records) {
                chat::ConversationEvent ev;
                if (ev.ParseFromString(r.value) && match(ev)) {
                    found = ev;
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    events::Naming naming_;
    SystemClock clock_;
    prometheus::Registry registry_;
    channel::ChannelProbe channel_probe_{registry_, "email"};
    EmailProbe email_probe_{registry_};
    std::unique_ptr<redis::Client> redis_;
    std::unique_ptr<kafka::Producer> producer_;
    std::unique_ptr<RedisThreadStore> threads_;
    std::unique_ptr<channel::InboundLedger> ledger_;
    std::unique_ptr<channel::InboundPublisher> publisher_;
    std::unique_ptr<EmailInbound> inbound_;
    std::unique_ptr<SmtpServer> smtp_;
    std::unique_ptr<SmtpServer> lmtp_;
    testing::FakeRelay relay_;
    std::unique_ptr<CurlSmtpRelay> curl_relay_;
    std::unique_ptr<EmailOutbound> outbound_;
    std::unique_ptr<channel::DeliveryLedger> delivery_ledger_;
    std::unique_ptr<channel::RateLimiter> limiter_;
    std::unique_ptr<channel::OutboundDelivery> delivery_;
    std::unique_ptr<kafka::Consumer> consumer_;
    std::unique_ptr<switchboard::testing::RecordCollector> inbound_records_;
    std::unique_ptr<switchboard::testing::RecordCollector> events_;
};

TEST_F(GatewayEmailTest, SwaksMailIsPublishedWithTheQuotedHistoryStripped) {
    const std::string id = "first-" + naming_.ns() + "@customer.test";
    auto sent = Swaks(smtp_->port(), Mail(id, "How do I reset my password?\n\nOn Mon, Jan 8, 2024 at 10:02 AM "
                                              "Support <support@example.com> wrote:\n> an older answer\n\n-- \nAlice\n"));
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    auto m = WaitInbound(id);
    ASSERT_TRUE(m) << "no record on " << naming_.Inbound();
    EXPECT_EQ(m->text(), "How do I reset my password?");
    EXPECT_EQ(m->envelope().conversation_id(), ConversationIdForRoot(id));
    EXPECT_EQ(m->envelope().channel(), common::v1::CHANNEL_EMAIL);
    EXPECT_EQ(m->message_id(), publisher_->MessageId(id));
    EXPECT_EQ(m->customer().id(), "alice@customer.test");
    EXPECT_EQ(m->customer().display_name(), "Alice");
    EXPECT_EQ(m->channel_metadata().at("subject"), "Password reset");
    EXPECT_EQ(m->channel_metadata().at("to"), "support@example.com");
}

TEST_F(GatewayEmailTest, TheSameMessageIdTwiceIsPublishedOnce) {
    const std::string id = "twice-" + naming_.ns() + "@customer.test";
    const std::string mail = Mail(id, "Where is my order?\n");
    ASSERT_EQ(Swaks(smtp_->port(), mail).exit_code, 0);
    ASSERT_TRUE(WaitInbound(id));
    auto again = Swaks(smtp_->port(), mail);
    EXPECT_EQ(again.exit_code, 0) << again.output;  // 250: the MTA must not retry forever
    // A later message on the same single partition: once it is there, a duplicate would be too.
    const std::string marker = "marker-" + naming_.ns() + "@customer.test";
    ASSERT_EQ(Swaks(smtp_->port(), Mail(marker, "marker\n")).exit_code, 0);
    ASSERT_TRUE(WaitInbound(marker));
    EXPECT_EQ(CountInbound(id), 1u);
}

TEST_F(GatewayEmailTest, MalformedAndRefusedMailPublishesNothing) {
    auto malformed = Swaks(smtp_->port(), "Subject: no sender\nMessage-ID: <bad-" + naming_.ns() + "@x>\n\nhello\n");
    EXPECT_NE(malformed.exit_code, 0);
    EXPECT_THAT(malformed.output, HasSubstr("554 5.6.0"));
    auto unknown = Swaks(smtp_->port(), Mail("u-" + naming_.ns() + "@x", "hi\n"), "sales@example.com");
    EXPECT_NE(unknown.exit_code, 0);
    EXPECT_THAT(unknown.output, HasSubstr("550 5.1.1"));
    const std::string marker = "after-bad-" + naming_.ns() + "@customer.test";
    ASSERT_EQ(Swaks(smtp_->port(), Mail(marker, "marker\n")).exit_code, 0);
    ASSERT_TRUE(WaitInbound(marker));
    EXPECT_EQ(Inbound().size(), 1u);
}

TEST_F(GatewayEmailTest, LmtpSessionRepliesOncePerAcceptedRecipient) {
    LineClient c(lmtp_->port());
    ASSERT_TRUE(c.connected());
    EXPECT_THAT(c.Reply(), HasSubstr("220 mx.example.com LMTP"));
    c.Send("LHLO postfix.example.com\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("250 SIZE"));
    c.Send("MAIL FROM:<bob@customer.test> BODY=8BITMIME\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("250"));
    c.Send("RCPT TO:<support@example.com>\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("250"));
    c.Send("RCPT TO:<nobody@example.com>\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("550"));
    c.Send("RCPT TO:<Support@Example.com>\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("250"));
    c.Send("DATA\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("354"));
    const std::string id = "lmtp-" + naming_.ns() + "@customer.test";
    c.Send("From: Bob <bob@customer.test>\r\nTo: support@example.com\r\nSubject: Доставка\r\nMessage-ID: <" + id +
           ">\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nГде мой заказ?\r\n"
           "..and a dot-stuffed line\r\n.\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("250 2.0.0"));
    EXPECT_THAT(c.Reply(), HasSubstr("250 2.0.0"));  // one per accepted recipient
    c.Send("QUIT\r\n");
    EXPECT_THAT(c.Reply(), HasSubstr("221"));
    auto m = WaitInbound(id);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->text(), "Где мой заказ?\n.and a dot-stuffed line");
    EXPECT_EQ(m->channel_metadata().at("subject"), "Доставка");
}

TEST_F(GatewayEmailTest, ReplyIsMailedThreadedAndTheCustomersAnswerJoinsTheConversation) {
    const std::string first = "thread-" + naming_.ns() + "@customer.test";
    ASSERT_EQ(Swaks(smtp_->port(), Mail(first, "My invoice is wrong.\n")).exit_code, 0);
    auto m = WaitInbound(first);
    ASSERT_TRUE(m);
    const std::string conversation = m->envelope().conversation_id();

    ProduceReply(conversation, "r-" + naming_.ns() + "-1", "Which invoice number?");
    ASSERT_TRUE(relay_.WaitForCount(1, 15s)) << "the fake relay got no mail";
    const auto mail = relay_.Messages().at(0);
    EXPECT_EQ(mail.reverse_path, "support@example.com");
    EXPECT_THAT(mail.recipients, ::testing::ElementsAre("alice@customer.test"));
    EXPECT_EQ(mail.parsed.in_reply_to, first);
    EXPECT_THAT(mail.parsed.references, ::testing::ElementsAre(first));
    EXPECT_EQ(mail.parsed.subject, "Re: Password reset");
    EXPECT_EQ(mail.parsed.text, "Which invoice number?\n");
    EXPECT_EQ(mail.parsed.auto_generated, "auto_submitted");
    EXPECT_THAT(mail.data, HasSubstr("Content-Type: text/plain; charset=utf-8"));
    const std::string ours = mail.parsed.message_id;
    EXPECT_EQ(ours, ReplyMessageId("r-" + naming_.ns() + "-1", "example.com"));

    auto delivered = WaitEvent([&](const chat::ConversationEvent& ev) {
        return ev.has_reply_delivered() && ev.reply_delivered().reply_id() == "r-" + naming_.ns() + "-1";
    });
    ASSERT_TRUE(delivered) << "no ReplyDelivered on " << naming_.Events();
    EXPECT_EQ(delivered->envelope().conversation_id(), conversation);

    // The customer answers our mail from their client: In-Reply-To ours, References the chain.
    const std::string answer = "answer-" + naming_.ns() + "@customer.test";
    ASSERT_EQ(Swaks(smtp_->port(), Mail(answer, "INV-2024-001\n\nOn Mon, Jan 8, 2024 at 10:02 AM Example Support "
                                                "<support@example.com> wrote:\n> Which invoice number?\n",
                                        "In-Reply-To: <" + ours + ">\nReferences: <" + first + "> <" + ours + ">\n",
                                        "Alice <alice@customer.test>", "Re: Password reset"))
                  .exit_code,
              0);
    auto a = WaitInbound(answer);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->envelope().conversation_id(), conversation);
    EXPECT_EQ(a->text(), "INV-2024-001");

    // An operator's reply threads into that answer and is signed.
    ProduceReply(conversation, "r-" + naming_.ns() + "-2", "Fixed, a new invoice is on its way.",
                 chat::RESPONDER_OPERATOR, "Anna");
    ASSERT_TRUE(relay_.WaitForCount(2, 15s));
    const auto second = relay_.Messages().at(1);
    EXPECT_EQ(second.parsed.in_reply_to, answer);
    EXPECT_THAT(second.parsed.references, ::testing::ElementsAre(first, ours, answer));
    EXPECT_EQ(second.parsed.subject, "Re: Password reset");
    EXPECT_EQ(second.parsed.text, "Fixed, a new invoice is on its way.\n\n-- \nAnna, customer support\n");
    EXPECT_EQ(second.parsed.auto_generated, "");
}

TEST_F(GatewayEmailTest, RelayTemporaryFailureIsRetriedAndPermanentRefusalReported) {
    const std::string first = "retry-" + naming_.ns() + "@customer.test";
    ASSERT_EQ(Swaks(smtp_->port(), Mail(first, "Hello?\n")).exit_code, 0);
    auto m = WaitInbound(first);
    ASSERT_TRUE(m);
    const std::string conversation = m->envelope().conversation_id();

    relay_.FailNext(MailOutcome::kRetryLater);  // 451 once, then accepted
    ProduceReply(conversation, "r-" + naming_.ns() + "-retry", "Hi!");
    ASSERT_TRUE(relay_.WaitForCount(1, 15s));
    ASSERT_TRUE(WaitEvent([&](const chat::ConversationEvent& ev) {
        return ev.has_reply_delivered() && ev.reply_delivered().reply_id() == "r-" + naming_.ns() + "-retry";
    }));

    relay_.FailNext(MailOutcome::kMalformed);  // 554
    ProduceReply(conversation, "r-" + naming_.ns() + "-refused", "Hi again!");
    auto failed = WaitEvent([&](const chat::ConversationEvent& ev) {
        return ev.has_reply_failed() && ev.reply_failed().reply_id() == "r-" + naming_.ns() + "-refused";
    });
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->reply_failed().reason(), "rejected");
    EXPECT_THAT(failed->reply_failed().platform_response(), HasSubstr("554"));
    EXPECT_EQ(relay_.Messages().size(), 1u);
}

TEST_F(GatewayEmailTest, AReplyToAnUnknownConversationFailsWithNoAddress) {
    ProduceReply("em-unknown-" + naming_.ns(), "r-" + naming_.ns() + "-lost", "Hello?");
    auto failed = WaitEvent([&](const chat::ConversationEvent& ev) {
        return ev.has_reply_failed() && ev.reply_failed().reply_id() == "r-" + naming_.ns() + "-lost";
    });
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->reply_failed().reason(), "no_address");
}

TEST_F(GatewayEmailTest, AutoRepliesAreTakenButNotPublished) {
    const std::string ooo = "ooo-" + naming_.ns() + "@customer.test";
    auto r = Swaks(smtp_->port(), Mail(ooo, "I am out of office.\n", "Auto-Submitted: auto-replied\n"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const std::string marker = "after-ooo-" + naming_.ns() + "@customer.test";
    ASSERT_EQ(Swaks(smtp_->port(), Mail(marker, "marker\n")).exit_code, 0);
    ASSERT_TRUE(WaitInbound(marker));
    EXPECT_EQ(CountInbound(ooo), 0u);
}

}  // namespace
}  // namespace switchboard::gateway_email
