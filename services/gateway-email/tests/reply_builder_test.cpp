#include "reply_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mime_parser.hpp"
#include "text_util.hpp"

namespace switchboard::gateway_email {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

OutgoingEmail Sample() {
    OutgoingEmail e;
    e.from_address = "support@example.com";
    e.from_name = "Example Support";
    e.to_address = "ivan@customer.test";
    e.to_name = "Иван Петров";
    e.subject = "Re: Смена пароля — срочно";
    e.message_id = "sb.abc@example.com";
    e.in_reply_to = "m2@customer.test";
    e.references = {"m1@customer.test", "sb.prev@example.com", "m2@customer.test"};
    e.date = std::chrono::system_clock::time_point(std::chrono::seconds(1704708000));  // 2024-01-08 10:00 UTC
    e.auto_submitted = true;
    e.body = "Здравствуйте!\nОткройте Настройки → Безопасность = готово.   \n.\nline with trailing space \n" +
             std::string(120, 'x') + "\n";
    return e;
}

TEST(ReplyBuilder, HeadersAreThreadedAndEncoded) {
    const std::string m = RenderEmail(Sample());
    EXPECT_THAT(m, HasSubstr("Date: Mon, 08 Jan 2024 10:00:00 +0000\r\n"));
    EXPECT_THAT(m, HasSubstr("From: Example Support <support@example.com>\r\n"));
    EXPECT_THAT(m, HasSubstr("Message-ID: <sb.abc@example.com>\r\n"));
    EXPECT_THAT(m, HasSubstr("In-Reply-To: <m2@customer.test>\r\n"));
    EXPECT_THAT(m, HasSubstr("References: <m1@customer.test> <sb.prev@example.com> <m2@customer.test>\r\n"));
    EXPECT_THAT(m, HasSubstr("Auto-Submitted: auto-replied\r\n"));
    EXPECT_THAT(m, HasSubstr("MIME-Version: 1.0\r\n"));
    EXPECT_THAT(m, HasSubstr("Content-Type: text/plain; charset=utf-8\r\n"));
    EXPECT_THAT(m, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n"));
    EXPECT_THAT(m, HasSubstr("Subject: =?UTF-8?B?"));
    // Only ASCII on the wire, no line over 78 characters, CRLF everywhere.
    for (const char c : m) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
    for (const auto line : SplitLines(m)) EXPECT_LE(line.size(), 78u) << line;
    EXPECT_THAT(m, Not(HasSubstr("\n\n")));
}

TEST(ReplyBuilder, ParsesBackToTheSameContent) {
    const OutgoingEmail e = Sample();
    auto p = ParseEmail(RenderEmail(e));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->subject, e.subject);
    EXPECT_EQ(p->message_id, e.message_id);
    EXPECT_EQ(p->in_reply_to, e.in_reply_to);
    EXPECT_THAT(p->references, ElementsAre("m1@customer.test", "sb.prev@example.com", "m2@customer.test"));
    EXPECT_EQ(p->from_address, "support@example.com");
    EXPECT_EQ(p->from_name, "Example Support");
    EXPECT_EQ(p->text, e.body);
    EXPECT_EQ(p->auto_generated, "auto_submitted");
}

TEST(ReplyBuilder, AsciiBodyIsSevenBitWithoutAutoSubmittedForOperators) {
    OutgoingEmail e = Sample();
    e.subject = "Re: Password reset";
    e.to_name = "Smith, John";
    e.body = "Hi John,\nit is fixed.\n\n-- \nAnna, Example Support\n";
    e.auto_submitted = false;
    e.references.clear();
    e.in_reply_to.clear();
    const std::string m = RenderEmail(e);
    EXPECT_THAT(m, HasSubstr("Subject: Re: Password reset\r\n"));
    EXPECT_THAT(m, HasSubstr("To: \"Smith, John\" <ivan@customer.test>\r\n"));
    // The "-- " delimiter's space must survive transports that strip trailing blanks.
    EXPECT_THAT(m, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n\r\nHi John,\r\nit is fixed.\r\n\r\n--=20\r\n"));
    e.body = "Hi John,\nit is fixed.\n";
    EXPECT_THAT(RenderEmail(e), HasSubstr("Content-Transfer-Encoding: 7bit\r\n\r\nHi John,\r\nit is fixed.\r\n"));
    EXPECT_THAT(m, Not(HasSubstr("Auto-Submitted")));
    EXPECT_THAT(m, Not(HasSubstr("In-Reply-To")));
    EXPECT_THAT(m, Not(HasSubstr("References")));
}

TEST(ReplyBuilder, Pieces) {
    EXPECT_EQ(EncodeHeaderText("plain"), "plain");
    EXPECT_EQ(EncodeHeaderText("é"), "=?UTF-8?B?w6k=?=");
    // Long text: several words, none splitting a UTF-8 sequence, each under 76 characters.
    const std::string long_ru(200, 'a');
    const std::string enc = EncodeHeaderText(std::string("Ж") + long_ru);
    for (std::size_t i = 0, j; i < enc.size(); i = j + 1) {
        j = enc.find(' ', i);
        if (j == std::string::npos) j = enc.size();
        EXPECT_LE(j - i, 75u);
    }
    EXPECT_EQ(QuotedPrintable("a=b \nc"), "a=3Db=20\r\nc\r\n");
    const std::string qp = QuotedPrintable(std::string(100, 'y'));
    EXPECT_EQ(qp.substr(75, 3), "=\r\n");
    EXPECT_EQ(DomainOf("support@example.com"), "example.com");
    EXPECT_EQ(DomainOf("nodomain"), "");
    EXPECT_EQ(FormatAddress("", "a@b"), "<a@b>");
}

}  // namespace
}  // namespace switchboard::gateway_email
