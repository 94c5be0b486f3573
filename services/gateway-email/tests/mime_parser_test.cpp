#include "mime_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "text_cleanup.hpp"
#include "text_util.hpp"

namespace switchboard::gateway_email {
namespace {

using ::testing::ElementsAre;

std::string Fixture(const std::string& name) {
    std::ifstream in(std::string(GATEWAY_EMAIL_TEST_DATA) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ParsedEmail Parse(const std::string& name) {
    auto r = ParseEmail(Fixture(name));
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : ParsedEmail{};
}

TEST(MimeParser, GmailAlternativePrefersPlainTextAndReadsThreadHeaders) {
    const ParsedEmail e = Parse("gmail_alternative.eml");
    EXPECT_EQ(e.message_id, "CAF=abc123+XyZ@mail.gmail.com");
    EXPECT_FALSE(e.synthetic_message_id);
    EXPECT_EQ(e.in_reply_to, "sb.reply-1@example.com");
    EXPECT_THAT(e.references, ElementsAre("root-1@mail.example.com", "sb.reply-1@example.com"));
    EXPECT_EQ(e.from_address, "ivan.petrov@gmail.com");
    EXPECT_EQ(e.from_name, "Иван Петров");
    EXPECT_EQ(e.reply_to, "ivan.petrov@gmail.com");
    EXPECT_EQ(e.subject, "Re: Смена пароля");
    EXPECT_FALSE(e.text_from_html);
    EXPECT_TRUE(e.attachments.empty());
    EXPECT_EQ(StripQuotedText(e.text), "Спасибо! А как сменить e-mail в профиле?");
    EXPECT_TRUE(e.auto_generated.empty());
}

TEST(MimeParser, OutlookHtmlOnlyBase64Windows1252FallsBackToText) {
    const ParsedEmail e = Parse("outlook_html.eml");
    EXPECT_TRUE(e.text_from_html);
    EXPECT_EQ(e.from_name, "Doe, Jane");
    EXPECT_EQ(e.language, "en-us");
    EXPECT_EQ(StripQuotedText(e.text), "Hi team,\n\nthe invoice for café “Le Bistro” is wrong.");
}

TEST(MimeParser, Koi8rBodyAndSubjectBecomeUtf8) {
    const ParsedEmail e = Parse("koi8r.eml");
    EXPECT_EQ(e.subject, "Оплата не проходит");
    EXPECT_EQ(e.text, "Добрый день!\nНе могу оплатить заказ картой.\n\n-- \nС уважением,\nОльга\n");
    EXPECT_EQ(StripQuotedText(e.text), "Добрый день!\nНе могу оплатить заказ картой.");
}

TEST(MimeParser, Latin1QuotedPrintable) {
    const ParsedEmail e = Parse("latin1_qp.eml");
    EXPECT_EQ(e.subject, "Mot de passe oublié");
    EXPECT_EQ(StripQuotedText(e.text), "Bonjour, je voudrais changer mon mot de passe. Merci d'avance, Renée");
}

TEST(MimeParser, AttachmentsRecordedWithKindNameTypeAndDecodedSize) {
    const ParsedEmail e = Parse("attachments.eml");
    EXPECT_EQ(StripQuotedText(e.text), "My screen broke, photo and receipt attached.");
    ASSERT_EQ(e.attachments.size(), 3u);
    EXPECT_EQ(e.attachments[0].kind, "photo");
    EXPECT_EQ(e.attachments[0].mime_type, "image/jpeg");
    EXPECT_EQ(e.attachments[0].file_name, "IMG_0001.JPG");
    EXPECT_EQ(e.attachments[0].file_id, "img1@customer.test");
    EXPECT_EQ(e.attachments[0].size_bytes, 102);
    EXPECT_EQ(e.attachments[1].kind, "document");
    EXPECT_EQ(e.attachments[1].mime_type, "application/pdf");
    EXPECT_EQ(e.attachments[1].file_name, "чек.pdf");  // RFC 2231 UTF-8 name
    EXPECT_EQ(e.attachments[1].size_bytes, 9 + 200 + 7);
    EXPECT_EQ(e.attachments[1].file_id, "part-3");
    EXPECT_EQ(e.attachments[2].kind, "document");
    EXPECT_EQ(e.attachments[2].mime_type, "message/rfc822");
    EXPECT_EQ(e.attachments[2].file_name, "Your order.eml");
    EXPECT_GT(e.attachments[2].size_bytes, 0);
}

TEST(MimeParser, AppleRelatedInlineImagesAreNotAttachments) {
    const ParsedEmail e = Parse("apple_related.eml");
    EXPECT_TRUE(e.attachments.empty());
    EXPECT_FALSE(e.text_from_html);
    EXPECT_EQ(StripQuotedText(e.text), "It arrived today, thanks!");
    EXPECT_EQ(e.in_reply_to, "sb.r-777@example.com");
}

TEST(MimeParser, Utf8Base64WithoutMessageIdGetsAStableSyntheticId) {
    const std::string raw = Fixture("utf8_base64_no_id.eml");
    auto a = ParseEmail(raw);
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(a->synthetic_message_id);
    EXPECT_EQ(a->from_name, "Анна");
    EXPECT_EQ(a->subject, "Пароль");
    EXPECT_EQ(StripQuotedText(a->text), "Здравствуйте, как сбросить пароль?");
    auto b = ParseEmail(raw);
    EXPECT_EQ(a->message_id, b->message_id);
    auto other = ParseEmail(raw + "more\r\n");
    EXPECT_NE(a->message_id, other->message_id);
}

TEST(MimeParser, AutoRepliesAreFlagged) {
    EXPECT_EQ(Parse("auto_reply.eml").auto_generated, "auto_submitted");
    auto bulk = ParseEmail("From: a@b.test\r\nPrecedence: bulk\r\nSubject: x\r\n\r\nnews\r\n");
    ASSERT_TRUE(bulk.ok());
    EXPECT_EQ(bulk->auto_generated, "precedence_bulk");
    auto human = ParseEmail("From: a@b.test\r\nAuto-Submitted: no\r\n\r\nhi\r\n");
    EXPECT_EQ(human->auto_generated, "");
}

TEST(MimeParser, MalformedMessagesAreErrors) {
    EXPECT_FALSE(ParseEmail(Fixture("no_from.eml")).ok());
    EXPECT_FALSE(ParseEmail("").ok());
    EXPECT_FALSE(ParseEmail("\r\n\r\n").ok());
    EXPECT_FALSE(ParseEmail("just some bytes without headers").ok());
    EXPECT_FALSE(ParseEmail("From: not an address\r\n\r\nbody\r\n").ok());
}

TEST(MimeParser, UnlabelledEightBitTextIsStillValidUtf8) {
    const std::string raw = std::string("From: x@y.test\r\nSubject: t\r\n\r\n") + "caf\xe9 cr\xe8me\r\n";
    auto e = ParseEmail(raw);
    ASSERT_TRUE(e.ok());
    EXPECT_TRUE(IsValidUtf8(e->text)) << e->text;
    EXPECT_EQ(StripQuotedText(e->text), "café crème");
}

TEST(MimeParser, AttachmentKinds) {
    EXPECT_EQ(AttachmentKind("image/png"), "photo");
    EXPECT_EQ(AttachmentKind("audio/ogg"), "audio");
    EXPECT_EQ(AttachmentKind("video/mp4"), "video");
    EXPECT_EQ(AttachmentKind("application/zip"), "document");
    EXPECT_EQ(AttachmentKind("text/calendar"), "document");
}

}  // namespace
}  // namespace switchboard::gateway_email
