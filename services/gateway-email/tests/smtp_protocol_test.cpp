#include "smtp_protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::gateway_email {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

RecipientPolicy Policy() { return RecipientPolicy::Parse("support@example.com, @help.example.org").value(); }

class Session {
public:
    explicit Session(Dialect d = Dialect::kSmtp, SmtpLimits limits = {})
        : policy_(Policy()), proto_(d, "mx.test", limits, policy_) {}

    // Feeds one line; returns the replies' codes.
    std::vector<int> Send(std::string_view line, bool crlf = true) {
        last_ = proto_.OnLine(line, crlf);
        return Codes(last_);
    }
    std::vector<int> Codes(const SmtpProtocol::Output& out) {
        std::vector<int> codes;
        for (const auto& r : out.replies) {
            EXPECT_TRUE(r.size() >= 2 && r.substr(r.size() - 2) == "\r\n") << r;
            codes.push_back(ReplyCode(r));
        }
        return codes;
    }
    int One(std::string_view line) {
        auto codes = Send(line);
        EXPECT_EQ(codes.size(), 1u) << line;
        return codes.empty() ? 0 : codes.front();
    }
    // EHLO/LHLO, MAIL, one RCPT, DATA: ready for message lines.
    void Begin(std::string_view rcpt = "support@example.com") {
        ASSERT_EQ(One(proto_.dialect() == Dialect::kLmtp ? "LHLO client.test" : "EHLO client.test"), 250);
        ASSERT_EQ(One("MAIL FROM:<alice@customer.test>"), 250);
        ASSERT_EQ(One("RCPT TO:<" + std::string(rcpt) + ">"), 250);
        ASSERT_EQ(One("DATA"), 354);
    }

    RecipientPolicy policy_;
    SmtpProtocol proto_;
    SmtpProtocol::Output last_;
};

TEST(SmtpProtocol, FullTransactionDeliversDotUnstuffedDataThenRepliesWithTheOutcome) {
    Session s;
    EXPECT_THAT(s.proto_.Greeting(), StartsWith("220 mx.test ESMTP"));
    s.Begin();
    EXPECT_TRUE(s.proto_.InData());
    EXPECT_TRUE(s.Send("Subject: hi").empty());
    EXPECT_TRUE(s.Send("").empty());
    EXPECT_TRUE(s.Send("..leading dot").empty());
    EXPECT_TRUE(s.Send(".").empty());
    ASSERT_TRUE(s.last_.mail.has_value());
    EXPECT_TRUE(s.proto_.AwaitingOutcome());
    EXPECT_EQ(s.last_.mail->data, "Subject: hi\r\n\r\n.leading dot\r\n");
    EXPECT_EQ(s.last_.mail->reverse_path, "alice@customer.test");
    EXPECT_THAT(s.last_.mail->recipients, ElementsAre("support@example.com"));
    EXPECT_EQ(s.last_.mail->helo, "client.test");

    auto out = s.proto_.OnOutcome(MailOutcome::kAccepted, "queued as m-1");
    ASSERT_EQ(out.replies.size(), 1u);
    EXPECT_EQ(out.replies[0], "250 2.0.0 OK queued as m-1\r\n");
    // The session goes on: a second transaction without a new EHLO.
    EXPECT_EQ(s.One("MAIL FROM:<>"), 250);
    EXPECT_EQ(s.One("QUIT"), 221);
    EXPECT_TRUE(s.last_.close);
}

TEST(SmtpProtocol, EhloAdvertisesSizeAnd8BitMime) {
    SmtpLimits limits;
    limits.max_message_bytes = 12345;
    Session s(Dialect::kSmtp, limits);
    s.Send("EHLO client.test");
    ASSERT_EQ(s.last_.replies.size(), 1u);
    const std::string& r = s.last_.replies[0];
    EXPECT_THAT(r, StartsWith("250-mx.test"));
    EXPECT_THAT(r, HasSubstr("250-8BITMIME\r\n"));
    EXPECT_THAT(r, HasSubstr("250-PIPELINING\r\n"));
    EXPECT_THAT(r, HasSubstr("250 SIZE 12345\r\n"));
    EXPECT_EQ(s.One("HELO other.test"), 250);
}

TEST(SmtpProtocol, OutcomesMapToSmtpCodes) {
    const std::vector<std::pair<MailOutcome, int>> cases = {{MailOutcome::kAccepted, 250},
                                                            {MailOutcome::kDuplicate, 250},
                                                            {MailOutcome::kIgnored, 250},
                                                            {MailOutcome::kRetryLater, 451},
                                                            {MailOutcome::kMalformed, 554}};
    for (const auto& [outcome, code] : cases) {
        Session s;
        s.Begin();
        s.Send(".");
        ASSERT_TRUE(s.last_.mail) << ToString(outcome);
        auto out = s.proto_.OnOutcome(outcome, "x\r\n250 injected");
        ASSERT_EQ(out.replies.size(), 1u);
        EXPECT_EQ(ReplyCode(out.replies[0]), code) << ToString(outcome);
        // A detail never adds a line to the reply.
        EXPECT_EQ(out.replies[0].find("\r\n"), out.replies[0].size() - 2) << out.replies[0];
    }
    Session s;
    s.Begin();
    s.Send(".");
    EXPECT_THAT(s.proto_.OnOutcome(MailOutcome::kRetryLater, "").replies[0], StartsWith("451 4.3.0"));
}

TEST(SmtpProtocol, BadSequenceIs503) {
    Session s;
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test>"), 503);  // before EHLO
    EXPECT_EQ(s.One("EHLO c.test"), 250);
    EXPECT_EQ(s.One("RCPT TO:<support@example.com>"), 503);  // before MAIL
    EXPECT_EQ(s.One("DATA"), 503);
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test>"), 250);
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test>"), 503);  // nested
    EXPECT_EQ(s.One("DATA"), 503);                  // no recipient yet
    EXPECT_EQ(s.One("RSET"), 250);
    EXPECT_EQ(s.One("RCPT TO:<support@example.com>"), 503);  // RSET ended the transaction
}

TEST(SmtpProtocol, UnknownAndUnimplementedCommands) {
    Session s;
    EXPECT_EQ(s.One("EHLO c.test"), 250);
    EXPECT_EQ(s.One("FROBNICATE"), 500);
    EXPECT_EQ(s.One(""), 500);
    EXPECT_EQ(s.One("STARTTLS"), 502);
    EXPECT_EQ(s.One("AUTH PLAIN abc"), 502);
    EXPECT_EQ(s.One("BDAT 10 LAST"), 502);
    EXPECT_EQ(s.One("noop"), 250);  // verbs are case-insensitive
    EXPECT_EQ(s.One("VRFY someone"), 252);
    EXPECT_EQ(s.One("EHLO"), 501);
    EXPECT_EQ(s.One("MAIL FROM:alice"), 250);  // bare address tolerated
    EXPECT_EQ(s.One("RCPT TO:<support@example.com> NOTIFY=NEVER"), 555);
    EXPECT_EQ(s.One("RCPT TO:"), 501);
}

TEST(SmtpProtocol, RecipientsOutsideThePolicyAre550) {
    Session s;
    s.One("EHLO c.test");
    s.One("MAIL FROM:<a@b.test>");
    EXPECT_EQ(s.One("RCPT TO:<sales@example.com>"), 550);
    EXPECT_EQ(s.One("RCPT TO:<SUPPORT@Example.COM>"), 250);
    EXPECT_EQ(s.One("RCPT TO: <anyone@help.example.org>"), 250);  // domain entry, space after colon
    EXPECT_EQ(s.One("RCPT TO:<anyone@sub.help.example.org>"), 550);
}

TEST(SmtpProtocol, SizeParameterAndOversizedDataAre552) {
    SmtpLimits limits;
    limits.max_message_bytes = 100;
    Session s(Dialect::kSmtp, limits);
    s.One("EHLO c.test");
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test> SIZE=101"), 552);
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME"), 250);
    EXPECT_EQ(s.One("RCPT TO:<support@example.com>"), 250);
    EXPECT_EQ(s.One("DATA"), 354);
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(s.Send(std::string(20, 'x')).empty());
    EXPECT_EQ(s.Send("."), std::vector<int>{552});
    EXPECT_FALSE(s.last_.mail.has_value());
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test> BODY=BINARYMIME"), 501);
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test> SIZE=abc"), 501);
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test> SMTPUTF8"), 555);
}

TEST(SmtpProtocol, TooManyRecipientsIs452) {
    SmtpLimits limits;
    limits.max_recipients = 2;
    Session s(Dialect::kSmtp, limits);
    s.One("EHLO c.test");
    s.One("MAIL FROM:<a@b.test>");
    EXPECT_EQ(s.One("RCPT TO:<support@example.com>"), 250);
    EXPECT_EQ(s.One("RCPT TO:<x@help.example.org>"), 250);
    EXPECT_EQ(s.One("RCPT TO:<y@help.example.org>"), 452);
}

TEST(SmtpProtocol, BareLfDotDoesNotEndData) {
    Session s;
    s.Begin();
    s.Send("Subject: smuggle");
    s.Send("", true);
    s.Send("body", false);  // "body\n"
    EXPECT_TRUE(s.Send(".", true).empty());  // "\n.\r\n": not CRLF.CRLF
    EXPECT_FALSE(s.last_.mail.has_value());
    EXPECT_TRUE(s.Send(".", false).empty());  // ".\n"
    EXPECT_TRUE(s.Send("MAIL FROM:<x@y>").empty());
    EXPECT_TRUE(s.Send(".").empty());  // previous line ended in CRLF, this one too: the end
    ASSERT_TRUE(s.last_.mail.has_value());
    EXPECT_EQ(s.last_.mail->data, "Subject: smuggle\r\n\r\nbody\r\n\r\n\r\nMAIL FROM:<x@y>\r\n");
}

TEST(SmtpProtocol, OverlongLines) {
    SmtpLimits limits;
    limits.max_data_line = 50;
    Session s(Dialect::kSmtp, limits);
    EXPECT_EQ(s.proto_.LineLimit(), limits.max_command_line);
    EXPECT_EQ(s.Codes(s.proto_.OnLineTooLong()), std::vector<int>{500});
    s.Begin();
    EXPECT_EQ(s.proto_.LineLimit(), 50u);
    EXPECT_TRUE(s.proto_.OnLineTooLong().replies.empty());
    EXPECT_EQ(s.Send("."), std::vector<int>{554});
    EXPECT_FALSE(s.last_.mail.has_value());
}

TEST(SmtpProtocol, TooManyErrorsClosesWith421) {
    SmtpLimits limits;
    limits.max_errors = 3;
    Session s(Dialect::kSmtp, limits);
    EXPECT_EQ(s.Send("X"), std::vector<int>{500});
    EXPECT_EQ(s.Send("X"), std::vector<int>{500});
    EXPECT_EQ(s.Send("X"), (std::vector<int>{500, 421}));
    EXPECT_TRUE(s.last_.close);
    EXPECT_TRUE(s.proto_.Closed());
    EXPECT_TRUE(s.Send("NOOP").empty());
}

TEST(SmtpProtocol, TimeoutAndShutdownSay421AndClose) {
    Session s;
    auto t = s.proto_.OnTimeout();
    EXPECT_EQ(s.Codes(t), std::vector<int>{421});
    EXPECT_TRUE(t.close);
    Session s2;
    auto d = s2.proto_.OnShutdown();
    EXPECT_THAT(d.replies.at(0), StartsWith("421 4.3.2"));
    EXPECT_TRUE(d.close);
}

TEST(SmtpProtocol, LmtpUsesLhloAndRepliesOncePerRecipient) {
    Session s(Dialect::kLmtp);
    EXPECT_THAT(s.proto_.Greeting(), HasSubstr("LMTP"));
    EXPECT_EQ(s.One("EHLO c.test"), 500);
    EXPECT_EQ(s.One("HELO c.test"), 500);
    EXPECT_EQ(s.One("LHLO c.test"), 250);
    EXPECT_EQ(s.One("MAIL FROM:<a@b.test>"), 250);
    EXPECT_EQ(s.One("RCPT TO:<support@example.com>"), 250);
    EXPECT_EQ(s.One("RCPT TO:<nobody@example.com>"), 550);  // not counted below
    EXPECT_EQ(s.One("RCPT TO:<team@help.example.org>"), 250);
    EXPECT_EQ(s.One("DATA"), 354);
    s.Send("Subject: x");
    s.Send(".");
    ASSERT_TRUE(s.last_.mail);
    EXPECT_EQ(s.last_.mail->recipients.size(), 2u);
    auto out = s.proto_.OnOutcome(MailOutcome::kRetryLater, "");
    EXPECT_EQ(s.Codes(out), (std::vector<int>{451, 451}));
    // Oversized message: one 552 per recipient too.
    Session big(Dialect::kLmtp, SmtpLimits{.max_message_bytes = 10});
    big.Begin();
    big.Send(std::string(20, 'y'));
    EXPECT_EQ(big.Send("."), std::vector<int>{552});
}

TEST(SmtpProtocol, SmtpServerRefusesLhlo) {
    Session s;
    EXPECT_EQ(s.One("LHLO c.test"), 500);
}

TEST(RecipientPolicy, ParsesAddressesAndDomains) {
    auto p = RecipientPolicy::Parse(" support@example.com,@Example.ORG  help@x.test ");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->Accepts("Support@Example.com"));
    EXPECT_TRUE(p->Accepts("anyone@example.org"));
    EXPECT_TRUE(p->Accepts("help@x.test"));
    EXPECT_FALSE(p->Accepts("sales@example.com"));
    EXPECT_FALSE(p->Accepts("example.org"));
    EXPECT_FALSE(RecipientPolicy::Parse("").ok());
    EXPECT_FALSE(RecipientPolicy::Parse("no-at-sign").ok());
    EXPECT_FALSE(RecipientPolicy::Parse("a@b@c").ok());
}

TEST(ParsePathArgument, Forms) {
    auto a = ParsePathArgument("FROM:<a@b.test> SIZE=10 BODY=8BITMIME", "FROM");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->address, "a@b.test");
    EXPECT_THAT(a->params, ElementsAre("SIZE=10", "BODY=8BITMIME"));
    EXPECT_EQ(ParsePathArgument("from:<>", "FROM")->address, "");
    EXPECT_EQ(ParsePathArgument("TO:<@relay.test:user@d.test>", "TO")->address, "user@d.test");
    EXPECT_FALSE(ParsePathArgument("TO:<a@b", "TO"));
    EXPECT_FALSE(ParsePathArgument("TO <a@b>", "TO"));
    EXPECT_FALSE(ParsePathArgument("TO:<a b@c>", "TO"));
    EXPECT_FALSE(ParsePathArgument("FROM:<a@b>", "TO"));
}

}  // namespace
}  // namespace switchboard::gateway_email
