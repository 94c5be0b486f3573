#include "text_cleanup.hpp"

#include <gtest/gtest.h>

namespace switchboard::gateway_email {
namespace {

TEST(StripQuotedText, GmailEnglishWrappedAttribution) {
    const char* text =
        "Thanks, that worked!\r\n"
        "One more question: can I change my e-mail address?\r\n"
        "\r\n"
        "On Mon, Jan 8, 2024 at 10:02 AM Example Support <support@example.com>\r\n"
        "wrote:\r\n"
        "\r\n"
        "> Hello,\r\n"
        "> to reset your password open Settings.\r\n"
        ">\r\n";
    EXPECT_EQ(StripQuotedText(text), "Thanks, that worked!\nOne more question: can I change my e-mail address?");
}

TEST(StripQuotedText, GmailRussianWithoutVerb) {
    const char* text =
        "Спасибо, получилось.\n"
        "\n"
        "пн, 8 янв. 2024 г. в 10:02, Example Support <support@example.com>:\n"
        "\n"
        "> Здравствуйте!\n";
    EXPECT_EQ(StripQuotedText(text), "Спасибо, получилось.");
}

TEST(StripQuotedText, RussianPishetAndNapisal) {
    EXPECT_EQ(StripQuotedText("Не работает оплата\n\n08.01.2024, 10:02, \"Поддержка\" пишет:\n> Добрый день\n"),
              "Не работает оплата");
    EXPECT_EQ(StripQuotedText("Да, всё верно.\n\n8 янв. 2024 г., в 10:02, Поддержка <support@example.com> "
                              "написал(а):\n\n> Уточните номер заказа\n"),
              "Да, всё верно.");
    // Mail.ru: "…, от Имя <адрес>:" — no verb, the address and the colon.
    EXPECT_EQ(StripQuotedText("Номер заказа 4411\n\nПонедельник, 8 января 2024, 10:02 +03:00 от Поддержка "
                              "<support@example.com>:\n> Уточните номер заказа\n"),
              "Номер заказа 4411");
}

TEST(StripQuotedText, OutlookOriginalMessageSeparator) {
    const char* text =
        "Please cancel my subscription.\r\n"
        "\r\n"
        "Regards,\r\n"
        "John\r\n"
        "\r\n"
        "-----Original Message-----\r\n"
        "From: Example Support <support@example.com>\r\n"
        "Sent: Monday, January 8, 2024 10:02 AM\r\n"
        "To: John <john@corp.test>\r\n"
        "Subject: RE: Subscription\r\n"
        "\r\n"
        "Hello John,\r\n";
    EXPECT_EQ(StripQuotedText(text), "Please cancel my subscription.\n\nRegards,\nJohn");
    EXPECT_EQ(StripQuotedText("Да\n-----Исходное сообщение-----\nОт: Поддержка\n"), "Да");
}

TEST(StripQuotedText, OutlookHeaderBlockWithoutSeparator) {
    const char* text =
        "See the screenshot attached.\n"
        "\n"
        "________________________________\n"
        "From: Example Support <support@example.com>\n"
        "Sent: Monday, January 8, 2024 10:02\n"
        "To: John Smith\n"
        "Subject: Re: Login problem\n"
        "\n"
        "Could you send a screenshot?\n";
    EXPECT_EQ(StripQuotedText(text), "See the screenshot attached.");
    const char* ru =
        "Прикладываю счёт.\n"
        "\n"
        "От: Поддержка <support@example.com>\n"
        "Отправлено: 8 января 2024 г. 10:02\n"
        "Кому: Иван\n"
        "Тема: Re: Счёт\n";
    EXPECT_EQ(StripQuotedText(ru), "Прикладываю счёт.");
    // "From:" in the customer's own words, without a header block, stays.
    EXPECT_EQ(StripQuotedText("From: my office I cannot log in.\nPlease help."),
              "From: my office I cannot log in.\nPlease help.");
}

TEST(StripQuotedText, AppleMailWithIphoneSignature) {
    const char* text =
        "Yes, order 1234.\n"
        "\n"
        "Sent from my iPhone\n"
        "\n"
        "> On 8 Jan 2024, at 10:02, Example Support <support@example.com> wrote:\n"
        "> \n"
        "> Which order?\n";
    EXPECT_EQ(StripQuotedText(text), "Yes, order 1234.");
    const char* apple =
        "Works now.\n"
        "\n"
        "On 8 Jan 2024, at 10:02, Example Support <support@example.com> wrote:\n"
        "\n"
        "> Try again please.\n";
    EXPECT_EQ(StripQuotedText(apple), "Works now.");
    EXPECT_EQ(StripQuotedText("Готово\n\nОтправлено с iPhone\n"), "Готово");
}

TEST(StripQuotedText, SignatureDelimiter) {
    EXPECT_EQ(StripQuotedText("How do I reset my password?\n\n-- \nJohn Smith\nACME Corp\n+1 555 0100\n"),
              "How do I reset my password?");
    EXPECT_EQ(StripQuotedText("Question here\n--\nJane\n"), "Question here");
    // A mobile line in the middle of a long text is the customer's words, not a signature.
    EXPECT_EQ(StripQuotedText("Sent from my iPhone the app crashes.\nIt happens every time.\nSteps:\n1. open\n"),
              "Sent from my iPhone the app crashes.\nIt happens every time.\nSteps:\n1. open");
}

TEST(StripQuotedText, InlineQuotesDroppedAnswersKept) {
    const char* text =
        "> What is your order number?\n"
        "1234\n"
        "> And the date?\n"
        "Yesterday\n";
    EXPECT_EQ(StripQuotedText(text), "1234\nYesterday");
}

TEST(StripQuotedText, BottomPostingKeepsTheAnswerBelowTheQuote) {
    const char* text =
        "On Mon, Jan 8, 2024 at 10:02 AM Support <support@example.com> wrote:\n"
        "> Which plan are you on?\n"
        "\n"
        "The premium plan.\n";
    EXPECT_EQ(StripQuotedText(text), "The premium plan.");
}

TEST(StripQuotedText, PlainMessageUnchangedButTidied) {
    EXPECT_EQ(StripQuotedText("\n\nHello,   \n\n\n\nhow do I reset my password?\n\n"),
              "Hello,\n\nhow do I reset my password?");
    // "wrote:" without a date, an address or a quote after it is the customer's sentence.
    EXPECT_EQ(StripQuotedText("This is what the error message wrote:\nfile not found"),
              "This is what the error message wrote:\nfile not found");
    EXPECT_EQ(StripQuotedText("> only a quote\n"), "");
}

TEST(HtmlToText, BlocksEntitiesAndWhitespace) {
    const char* html =
        "<html><head><title>x</title><style>p{color:red}</style></head><body>"
        "<p>Hello&nbsp;there,</p>\n<p>I   can&#39;t\n log in &amp; the <b>reset</b> link fails.</p>"
        "<ul><li>Chrome</li><li>Firefox</li></ul>"
        "<div>Line one<br>Line two</div><script>alert(1)</script>"
        "<p>&laquo;Цитата&raquo; &#x2014; &euro;5 &unknown; a&lt;b</p></body></html>";
    EXPECT_EQ(HtmlToText(html),
              "Hello there,\n\nI can't log in & the reset link fails.\n\n- Chrome\n- Firefox\n\nLine one\nLine two\n\n"
              "«Цитата» — €5 &unknown; a<b");
}

TEST(HtmlToText, DropsQuotedHistoryAndSignatureMarkup) {
    const char* gmail =
        "<div dir=\"ltr\">It works, thank you!<div><br></div>"
        "<div class=\"gmail_signature\">John<br>ACME</div></div><br>"
        "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon, Jan 8, 2024 at 10:02 AM "
        "Support &lt;support@example.com&gt; wrote:<br></div>"
        "<blockquote class=\"gmail_quote\" style=\"margin:0\"><div>Try <div>nested</div> again</div></blockquote>"
        "</div>";
    EXPECT_EQ(HtmlToText(gmail), "It works, thank you!");
    EXPECT_EQ(HtmlToText("<p>Answer</p><blockquote>old <blockquote>older</blockquote> text</blockquote><p>PS</p>"),
              "Answer\n\nPS");
    EXPECT_EQ(HtmlToText("<!-- comment <p>x</p> -->Text<img src='a>b.png'> more"), "Text more");
}

}  // namespace
}  // namespace switchboard::gateway_email
