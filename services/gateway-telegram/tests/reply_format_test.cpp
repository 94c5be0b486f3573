#include "reply_format.hpp"

#include <gtest/gtest.h>

#include "fake_bot_api.hpp"

namespace switchboard::gateway_telegram {
namespace {

namespace chat = switchboard::chat::v1;

TEST(EscapeHtml, EscapesTheCharactersTelegramParses) {
    EXPECT_EQ(EscapeHtml("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
    EXPECT_EQ(EscapeHtml("<b>not bold</b>"), "&lt;b&gt;not bold&lt;/b&gt;");
    EXPECT_EQ(EscapeHtml("say \"hi\""), "say &quot;hi&quot;");
    EXPECT_EQ(EscapeHtml("Привет 😀"), "Привет 😀");
    EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");  // already-escaped text is text, escaped again
}

TEST(EscapeHtml, TelegramSeesExactlyTheOriginalText) {
    const std::string text = "x<y & y>z; 1 &lt; 2 — <script>alert(1)</script> & &#64;";
    auto parsed = testing::ParseTelegramHtml(EscapeHtml(text));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, text);
}

TEST(Utf16Length, CountsSurrogatePairsTwice) {
    EXPECT_EQ(Utf16Length(""), 0u);
    EXPECT_EQ(Utf16Length("abc"), 3u);
    EXPECT_EQ(Utf16Length("Привет"), 6u);
    EXPECT_EQ(Utf16Length("😀"), 2u);
    EXPECT_EQ(Utf16Length("€"), 1u);
}

TEST(SplitText, ShortTextIsOnePieceTrimmed) {
    EXPECT_EQ(SplitText("  hello \n", {}), std::vector<std::string>{"hello"});
    EXPECT_TRUE(SplitText(" \n\t ", {}).empty());
}

TEST(SplitText, ExactlyTheLimitIsOnePiece) {
    const std::string text(kMaxMessageChars, 'a');
    auto parts = SplitText(text, {});
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0], text);
    EXPECT_EQ(SplitText(text + "b", {}).size(), 2u);
}

TEST(SplitText, PrefersParagraphThenLineThenSpace) {
    SplitOptions o;
    o.max_chars = 20;
    EXPECT_EQ(SplitText("first para.\n\nsecond one here", o),
              (std::vector<std::string>{"first para.", "second one here"}));
    EXPECT_EQ(SplitText("line one is\nline two is here", o),
              (std::vector<std::string>{"line one is", "line two is here"}));
    EXPECT_EQ(SplitText("words words words words words", o),
              (std::vector<std::string>{"words words words", "words words"}));
    // No break in the second half of the window: cut hard.
    EXPECT_EQ(SplitText("abcdefghijklmnopqrstuvwxyz", o),
              (std::vector<std::string>{"abcdefghijklmnopqrst", "uvwxyz"}));
}

TEST(SplitText, NeverCutsInsideACharacterAndCountsUtf16) {
    SplitOptions o;
    o.max_chars = 5;
    // Emoji are 2 units each: two fit in 5 units, not three.
    auto parts = SplitText("😀😀😀😀😀", o);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0], "😀😀");
    EXPECT_EQ(parts[1], "😀😀");
    EXPECT_EQ(parts[2], "😀");
    auto cyrillic = SplitText("ПриветМир", o);
    EXPECT_EQ(cyrillic, (std::vector<std::string>{"Приве", "тМир"}));
}

TEST(SplitText, TooManyPiecesTruncatesTheLastWithAnEllipsis) {
    SplitOptions o;
    o.max_chars = 10;
    o.max_parts = 2;
    auto parts = SplitText("aaaa bbbb cccc dddd eeee ffff", o);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0], "aaaa bbbb");
    EXPECT_EQ(parts[1], "cccc…");
    for (const auto& p : parts) EXPECT_LE(Utf16Length(p), 10u) << p;
}

TEST(SplitText, ReservesRoomInTheFirstPiece) {
    SplitOptions o;
    o.max_chars = 10;
    o.first_reserved = 6;
    auto parts = SplitText("abcd efgh ijkl", o);
    ASSERT_GE(parts.size(), 2u);
    EXPECT_EQ(parts[0], "abcd");
    EXPECT_LE(Utf16Length(parts[0]) + 6, 10u);
}

TEST(SplitText, EveryPieceFitsAndNothingIsLost) {
    std::string text;
    for (int i = 0; text.size() < 20000; ++i)
        text += "Sentence " + std::to_string(i) + " with ёжик 🦔.\n";
    SplitOptions o;
    o.max_parts = 100;
    auto parts = SplitText(text, o);
    ASSERT_GT(parts.size(), 2u);
    std::string joined;
    for (const auto& p : parts) {
        EXPECT_LE(Utf16Length(p), kMaxMessageChars);
        EXPECT_FALSE(p.empty());
        joined += p + "\n";
    }
    EXPECT_EQ(joined, text);  // cuts fall on the line breaks
}

chat::OutboundMessage Reply(const std::string& text, chat::Responder responder, const std::string& op = "") {
    chat::OutboundMessage m;
    m.set_text(text);
    m.set_responder(responder);
    m.set_operator_name(op);
    return m;
}

TEST(RenderReply, BotTextIsEscapedPlainText) {
    auto parts = RenderReply(Reply("Use <Settings> & then \"Reset\"", chat::RESPONDER_BOT), 4);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0], "Use &lt;Settings&gt; &amp; then &quot;Reset&quot;");
}

TEST(RenderReply, OperatorRepliesStartWithTheirNameInBold) {
    auto parts = RenderReply(Reply("Hi, how can I help?", chat::RESPONDER_OPERATOR, "Anna <QA>"), 4);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0], "<b>Anna &lt;QA&gt;</b>: Hi, how can I help?");
    EXPECT_EQ(RenderReply(Reply("x", chat::RESPONDER_OPERATOR), 4)[0], "<b>Operator</b>: x");
}

TEST(RenderReply, LongOperatorReplyFitsTelegramsLimitInEveryPart) {
    std::string text;
    while (Utf16Length(text) < 9000) text += "Check <this> & that, please. ";
    auto parts = RenderReply(Reply(text, chat::RESPONDER_OPERATOR, "Anna"), 4);
    ASSERT_EQ(parts.size(), 3u);
    for (const auto& p : parts) {
        std::string error;
        auto visible = testing::ParseTelegramHtml(p, &error);
        ASSERT_TRUE(visible.has_value()) << error;
        EXPECT_LE(Utf16Length(*visible), kMaxMessageChars);
    }
    EXPECT_EQ(parts[0].rfind("<b>Anna</b>: Check &lt;this&gt;", 0), 0u);
}

}  // namespace
}  // namespace switchboard::gateway_telegram
