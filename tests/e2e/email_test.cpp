// End to end over e-mail: the real gateway-email binary with the core services on the real
// Kafka and Redis. Customers write with swaks (a stock SMTP client); replies are mailed to a fake
// relay; operators act through routing's gRPC API, as the inbox does.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "fake_relay.hpp"
#include "stack.hpp"
#include "support.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"
#include "text_util.hpp"
#include "threading.hpp"

namespace switchboard::e2e {
namespace {

using namespace std::chrono_literals;
namespace rv1 = switchboard::routing::v1;
using gateway_email::testing::FakeRelay;

constexpr auto kReplyTimeout = 20s;

// Started once for every test of this binary: the core services, the fake relay and the gateway.
class EmailSuite : public Stack {
public:
    EmailSuite() {
        email_http_port = FreePort();
        smtp_port = FreePort();
        Start("gateway-email", SWITCHBOARD_GATEWAY_EMAIL_BIN,
              {{"SWITCHBOARD_SMTP_LISTEN", "127.0.0.1:" + std::to_string(smtp_port)},
               {"SWITCHBOARD_INBOUND_RECIPIENTS", "support@example.com"},
               {"SWITCHBOARD_OUTBOUND_FROM_ADDRESS", "support@example.com"},
               {"SWITCHBOARD_OUTBOUND_RELAY_URL", relay.url()}},
              email_http_port);
        StartCore();
        WaitReady();
    }

    FakeRelay relay;
    std::uint16_t email_http_port = 0, smtp_port = 0;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SharedStack<EmailSuite>);

struct SwaksResult {
    int exit_code = -1;
    std::string output;
};

class EmailE2E : public ::testing::Test {
protected:
    EmailSuite& suite() { return SharedStack<EmailSuite>::Get(); }

    // A customer's mail, sent with swaks; swaks exits 0 only when the gateway answered 250.
    SwaksResult Send(const std::string& message_id, const std::string& body, const std::string& subject) {
        static int n = 0;
        const std::string path = (suite().dir() / ("mail-" + std::to_string(++n) + ".eml")).string();
        std::ofstream(path, std::ios::binary)
            << "From: Customer <customer@mail.test>\nTo: support@example.com\nSubject: " << subject
            << "\nMessage-ID: <" << message_id << ">\nContent-Type: text/plain; charset=utf-8\n\n"
            << body;
        SwaksResult r;
        FILE* p = popen(("swaks --timeout 30 --server 127.0.0.1:" + std::to_string(suite().smtp_port) +
                         " --from customer@mail.test --to support@example.com --data " + path + " 2>&1")
                            .c_str(),
                        "r");
        if (p == nullptr) return r;
        char buf[4096];
        while (std::size_t got = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, got);
        const int status = pclose(p);
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return r;
    }

    std::string Id(const std::string& name) { return name + "-" + suite().naming().ns() + "@mail.test"; }

    // The relay's mails answering `message_id` (In-Reply-To).
    std::vector<FakeRelay::Message> RepliesTo(const std::string& message_id) {
        std::vector<FakeRelay::Message> out;
        for (auto& m : suite().relay.Messages()) {
            if (m.parsed.in_reply_to == message_id) out.push_back(std::move(m));
        }
        return out;
    }

    // Waits for a reply to `message_id` whose text satisfies `match`.
    std::optional<FakeRelay::Message> WaitReply(const std::string& message_id,
                                                const std::function<bool(const std::string&)>& match) {
        std::optional<FakeRelay::Message> found;
        WaitUntil(
            [&] {
                for (auto& m : RepliesTo(message_id)) {
                    if (match(std::string(gateway_email::TrimWhitespace(m.parsed.text)))) {
                        found = std::move(m);
                        return true;
                    }
                }
                return false;
            },
            kReplyTimeout);
        return found;
    }

    void SetOnline(const std::string& op, const std::string& name) {
        auto s = suite().SetOnline(op, name);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }

    rv1::Conversation GetConversation(const std::string& conv, const std::string& as) {
        return suite().GetConversation(conv, as);
    }
};

TEST_F(EmailE2E, KnowledgeBaseQuestionIsAnsweredByMailInTheThread) {
    const std::string id = Id("kb");
    auto sent = Send(id,
                     "how do I reset my password?\n\n-- \nJohn Customer\nACME Inc.\n",
                     "Password");
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
    const std::string answer = DemoAnswer("en-reset-password");
    ASSERT_FALSE(answer.empty());
    auto reply = WaitReply(id, [&](const std::string& text) { return text == answer; });
    ASSERT_TRUE(reply) << "no answer at the relay\n" << suite().Logs();
    EXPECT_EQ(reply->recipients, std::vector<std::string>{"customer@mail.test"});
    EXPECT_EQ(reply->parsed.subject, "Re: Password");
    EXPECT_EQ(reply->parsed.references, std::vector<std::string>{id});
    EXPECT_EQ(reply->parsed.from_address, "support@example.com");
    EXPECT_EQ(reply->parsed.auto_generated, "auto_submitted");
}

TEST_F(EmailE2E, HumanRequestReachesAnOperatorWhoseReplyIsMailed) {
    SetOnline("op-mail-anna", "Anna");
    const std::string id = Id("human");
    ASSERT_EQ(Send(id, "I want a human\n", "Help").exit_code, 0);
    const std::string conv = gateway_email::ConversationIdForRoot(id);
    ASSERT_TRUE(WaitUntil([&] { return GetConversation(conv, "op-mail-anna").state() == rv1::CONVERSATION_STATE_ASSIGNED; },
                          kReplyTimeout))
        << suite().Logs();
    EXPECT_EQ(GetConversation(conv, "op-mail-anna").operator_id(), "op-mail-anna");
    {
        grpc::ClientContext ctx;
        suite().Authorize(ctx, "op-mail-anna");
        rv1::ReplyRequest req;
        req.set_operator_id("op-mail-anna");
        req.set_conversation_id(conv);
        req.set_text("Hi, I'm Anna. How can I help?");
        rv1::ReplyResponse resp;
        auto s = suite().routing().Reply(&ctx, req, &resp);
        ASSERT_TRUE(s.ok()) << s.error_message();
    }
    auto reply = WaitReply(id, [](const std::string& text) { return text.rfind("Hi, I'm Anna. How can I help?", 0) == 0; });
    ASSERT_TRUE(reply) << "no operator reply at the relay\n" << suite().Logs();
    EXPECT_EQ(std::string(gateway_email::TrimWhitespace(reply->parsed.text)),
              "Hi, I'm Anna. How can I help?\n\n-- \nAnna, customer support");
    EXPECT_EQ(reply->parsed.auto_generated, "");  // a person wrote it
    EXPECT_EQ(reply->parsed.subject, "Re: Help");
}

TEST_F(EmailE2E, TheSameMailTwiceIsAnsweredOnce) {
    const std::string id = Id("dup");
    ASSERT_EQ(Send(id, "how do I reset my password?\n", "Reset").exit_code, 0);
    auto again = Send(id, "how do I reset my password?\n", "Reset");
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("already accepted"), std::string::npos) << again.output;
    const std::string answer = DemoAnswer("en-reset-password");
    ASSERT_TRUE(WaitReply(id, [&](const std::string& text) { return text == answer; })) << suite().Logs();
    // A later question's answer: by then a second answer to the first would normally be there too.
    const std::string marker = Id("dup-marker");
    ASSERT_EQ(Send(marker, "how do I reset my password?\n", "Reset").exit_code, 0);
    ASSERT_TRUE(WaitReply(marker, [&](const std::string& text) { return text == answer; })) << suite().Logs();
    EXPECT_EQ(RepliesTo(id).size(), 1u);
}

}  // namespace
}  // namespace switchboard::e2e
