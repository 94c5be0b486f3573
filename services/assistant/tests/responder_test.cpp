#include "responder.hpp"

#include <gtest/gtest.h>

namespace switchboard::assistant {
namespace {

kb::LiveIndex SampleIndex() {
    return kb::LiveIndex(std::make_shared<const kb::Index>(std::vector<kb::Article>{
        {ArticleId("en-reset"), {"how do I reset my password", "forgot my password"}, "Open the reset page.", "en", {}, true, 1},
        {ArticleId("en-refund"), {"can I get a refund", "I want my money back"}, "Refunds within 14 days.", "en", {}, true, 1},
        {ArticleId("ru-reset"), {"как сбросить пароль", "забыл пароль"}, "Откройте страницу сброса.", "ru", {}, true, 1},
    }));
}

TEST(Responder, AnswersOnlyWithTheArticleText) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    auto d = r.Decide("I forgot my password");
    ASSERT_EQ(d.kind, Decision::Kind::kAnswer);
    EXPECT_EQ(d.article.str(), "en-reset");
    EXPECT_EQ(d.text, "Open the reset page.");
    EXPECT_GE(d.score, 0.5);
}

TEST(Responder, AnswersInTheCustomersLanguage) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    auto d = r.Decide("Забыл пароль!");
    ASSERT_EQ(d.kind, Decision::Kind::kAnswer);
    EXPECT_EQ(d.article.str(), "ru-reset");
}

TEST(Responder, NonTextContentGoesToAHumanEvenWithAnAnswerableCaption) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    ASSERT_EQ(r.Decide("I forgot my password").kind, Decision::Kind::kAnswer);
    auto d = r.DecideNonText("I forgot my password");
    EXPECT_EQ(d.kind, Decision::Kind::kHandoff);
    EXPECT_EQ(d.reason, chat::v1::HANDOFF_REASON_UNSUPPORTED_CONTENT);
    EXPECT_FALSE(d.text.empty());
    EXPECT_NE(r.DecideNonText("", "ru").text, d.text);  // the notice in the customer's language
}

TEST(Responder, ThanksAfterAnAnswerConfirmsIt) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    EXPECT_FALSE(r.Decide("thanks!").confirms_answer);  // nothing answered yet
    Responder::Context ctx;
    ctx.last_article = ArticleId("en-reset");
    ctx.since_last_answer = std::chrono::seconds(30);
    auto d = r.Decide("thanks!", "en", ctx);
    EXPECT_EQ(d.kind, Decision::Kind::kSmallTalk);
    EXPECT_TRUE(d.confirms_answer);
    ctx.since_last_answer = std::chrono::hours(2);
    EXPECT_FALSE(r.Decide("thanks!", "en", ctx).confirms_answer);
}

TEST(Responder, HandsOffWhenUnsureWithCandidates) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    auto d = r.Decide("my invoice shows the wrong company address");
    ASSERT_EQ(d.kind, Decision::Kind::kHandoff);
    EXPECT_EQ(d.reason, chat::v1::HANDOFF_REASON_LOW_CONFIDENCE);
    EXPECT_TRUE(d.article.empty());
    EXPECT_FALSE(d.text.empty()) << "the customer is told a person will answer";
}

TEST(Responder, ThresholdDecides) {
    auto index = SampleIndex();
    const auto score = Responder(index, {0.0, 3}).Decide("reset password please").score;
    ASSERT_GT(score, 0.0);
    EXPECT_EQ(Responder(index, {score, 3}).Decide("reset password please").kind, Decision::Kind::kAnswer);
    EXPECT_EQ(Responder(index, {score + 0.01, 3}).Decide("reset password please").kind, Decision::Kind::kHandoff);
}

TEST(Responder, HumanRequestIsAnImmediateHandoffEvenIfTheKbMatches) {
    auto index = SampleIndex();
    Responder r(index, {0.1, 3});
    auto d = r.Decide("I forgot my password, get me a human");
    ASSERT_EQ(d.kind, Decision::Kind::kHandoff);
    EXPECT_EQ(d.reason, chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST);
    auto ru = r.Decide("Позовите оператора");
    EXPECT_EQ(ru.reason, chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST);
    EXPECT_NE(ru.text.find("оператор"), std::string::npos) << "notice in the customer's language";
}

TEST(Responder, GreetingsAndThanksAreSmallTalk) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    EXPECT_EQ(r.Decide("hello").kind, Decision::Kind::kSmallTalk);
    EXPECT_EQ(r.Decide("спасибо").kind, Decision::Kind::kSmallTalk);
}

TEST(Responder, AKnowledgeBasesOwnGreetingAndThanksWinOverTheBuiltInOnes) {
    auto index = kb::LiveIndex(std::make_shared<const kb::Index>(std::vector<kb::Article>{
        {ArticleId("hello"), {"hello", "hi there", "hey"}, "Hi! I am the Acme assistant.", "en", {}, true, 1},
        {ArticleId("thanks"), {"thank you", "thanks a lot"}, "You are welcome! Anything else?", "en", {}, true, 1},
        {ArticleId("en-reset"), {"how do I reset my password", "forgot my password"}, "Open the reset page.", "en", {}, true, 1},
    }));
    Responder r(index, {0.5, 3});
    const std::string built_in_greeting = Responder(SampleIndex(), {0.5, 3}).Decide("hello").text;
    auto d = r.Decide("hello");
    ASSERT_EQ(d.kind, Decision::Kind::kSmallTalk);
    EXPECT_EQ(d.article.str(), "hello");
    EXPECT_EQ(d.text, "Hi! I am the Acme assistant.");
    // Greeted again right away: the same greeting, not a "did not help" handoff.
    auto again = r.Decide("hello", "", {ArticleId("hello"), std::chrono::seconds(5)});
    EXPECT_EQ(again.kind, Decision::Kind::kSmallTalk);
    EXPECT_EQ(again.article.str(), "hello");
    // Nothing sure in the knowledge base for it: the built-in greeting.
    auto other = r.Decide("good evening");
    EXPECT_EQ(other.kind, Decision::Kind::kSmallTalk);
    EXPECT_TRUE(other.article.empty());
    EXPECT_NE(other.text, d.text);
    EXPECT_FALSE(other.text.empty());
    EXPECT_EQ(built_in_greeting, Responder(index, {0.99, 3}).Decide("hello").text) << "unsure: ours";
    // Thanks right after an answer: the knowledge base's words, and it still confirms the answer.
    auto thanks = r.Decide("thank you!", "en", {ArticleId("en-reset"), std::chrono::seconds(20)});
    EXPECT_EQ(thanks.kind, Decision::Kind::kSmallTalk);
    EXPECT_EQ(thanks.text, "You are welcome! Anything else?");
    EXPECT_TRUE(thanks.confirms_answer);
    EXPECT_FALSE(r.Decide("thank you!").confirms_answer) << "nothing answered yet";
}

TEST(Responder, SameQuestionRightAfterItsAnswerIsABotFailure) {
    auto index = SampleIndex();
    Responder r(index, {});
    Responder::Context just_answered{ArticleId("en-reset"), std::chrono::seconds(30)};
    auto again = r.Decide("forgot my password", "", just_answered);
    ASSERT_EQ(again.kind, Decision::Kind::kHandoff);
    EXPECT_EQ(again.reason, chat::v1::HANDOFF_REASON_BOT_FAILED);

    Responder::Context long_ago{ArticleId("en-reset"), std::chrono::seconds(3600)};
    EXPECT_EQ(r.Decide("forgot my password", "", long_ago).kind, Decision::Kind::kAnswer);
    Responder::Context other{ArticleId("en-refund"), std::chrono::seconds(30)};
    EXPECT_EQ(r.Decide("forgot my password", "", other).kind, Decision::Kind::kAnswer);
}

TEST(Responder, SayingItDidNotHelpIsABotFailureOnlyAfterAnAnswer) {
    auto index = SampleIndex();
    Responder r(index, {});
    Responder::Context answered{ArticleId("en-reset"), std::chrono::seconds(60)};
    auto d = r.Decide("that didn't help", "", answered);
    ASSERT_EQ(d.kind, Decision::Kind::kHandoff);
    EXPECT_EQ(d.reason, chat::v1::HANDOFF_REASON_BOT_FAILED);
    auto ru = r.Decide("не помогло", "", answered);
    EXPECT_EQ(ru.reason, chat::v1::HANDOFF_REASON_BOT_FAILED);
    EXPECT_NE(r.Decide("that didn't help", "", {}).reason, chat::v1::HANDOFF_REASON_BOT_FAILED);
}

// Every handoff hands the operator what the knowledge base has on the question, and routing the
// topics of its plausible part.
TEST(Responder, EveryHandoffCarriesCandidatesAndTheirTopics) {
    auto index = kb::LiveIndex(std::make_shared<const kb::Index>(std::vector<kb::Article>{
        {ArticleId("en-reset"), {"how do I reset my password", "forgot my password"}, "Open the reset page.", "en",
         {"account"}, true, 1},
        {ArticleId("en-refund"), {"can I get a refund", "I want my money back"}, "Refunds within 14 days.", "en",
         {"billing", "refunds"}, true, 1},
    }));
    Responder r(index, {0.5, 3});
    auto human = r.Decide("get me a human, I want a refund");
    ASSERT_EQ(human.reason, chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST);
    ASSERT_FALSE(human.candidates.empty());
    EXPECT_EQ(human.candidates.front().article->id.str(), "en-refund");
    EXPECT_EQ(human.topics, (std::vector<std::string>{"billing", "refunds"}));
    EXPECT_EQ(human.lang, "en");
    // "That didn't help": the candidates for the question the answer failed on, not the complaint.
    Responder::Context answered{ArticleId("en-reset"), std::chrono::seconds(60), "how do I reset my password"};
    auto failed = r.Decide("that didn't help", "", answered);
    ASSERT_EQ(failed.reason, chat::v1::HANDOFF_REASON_BOT_FAILED);
    ASSERT_FALSE(failed.candidates.empty());
    EXPECT_EQ(failed.candidates.front().article->id.str(), "en-reset");
    EXPECT_EQ(failed.topics, (std::vector<std::string>{"account"}));
    // Candidates below half the threshold say nothing about the topic.
    auto vague = Responder(index, {0.99, 3}).Decide("hmm");
    ASSERT_EQ(vague.kind, Decision::Kind::kHandoff);
    for (const auto& c : vague.candidates) EXPECT_LT(c.score, 0.99 / 2);
    EXPECT_TRUE(vague.topics.empty());
}

TEST(Responder, TopicsOfTakesEachTagOnceBestFirstDownToTheFloor) {
    const kb::Article a{ArticleId("a"), {"q"}, "x", "en", {"billing", "refunds"}, true, 1};
    const kb::Article b{ArticleId("b"), {"q"}, "x", "en", {"refunds", "account"}, true, 1};
    const kb::Article c{ArticleId("c"), {"q"}, "x", "en", {"shipping"}, true, 1};
    const std::vector<kb::Match> m{{&a, 0.8}, {&b, 0.5}, {&c, 0.2}};
    EXPECT_EQ(Responder::TopicsOf(m, 0.3), (std::vector<std::string>{"billing", "refunds", "account"}));
    EXPECT_TRUE(Responder::TopicsOf(m, 0.9).empty());
}

TEST(LanguageOf, TheChannelsTagReducedOrTheTextsScript) {
    EXPECT_EQ(LanguageOf("hello", "en-US"), "en");
    EXPECT_EQ(LanguageOf("hello", "EN"), "en");
    EXPECT_EQ(LanguageOf("hello", "ru_RU"), "ru");
    EXPECT_EQ(LanguageOf("как дела", ""), "ru");
    EXPECT_EQ(LanguageOf("how are you", ""), "en");
}

TEST(Responder, ACustomersRegionalLanguageTagFindsTheLanguagesArticles) {
    auto index = SampleIndex();
    Responder r(index, {0.5, 3});
    for (const char* tag : {"en-US", "EN", "en_GB"}) {
        auto d = r.Decide("I forgot my password", tag);
        ASSERT_EQ(d.kind, Decision::Kind::kAnswer) << tag;
        EXPECT_EQ(d.article.str(), "en-reset") << tag;
        EXPECT_EQ(d.lang, "en") << tag;
    }
}

TEST(DetectLanguage, ByScript) {
    EXPECT_EQ(DetectLanguage("привет, how are you"), "en");
    EXPECT_EQ(DetectLanguage("как дела у тебя ok"), "ru");
    EXPECT_EQ(DetectLanguage("12345"), "en");
}


TEST(Responder, ALanguagesOwnThresholdOverridesTheShared) {
    auto index = SampleIndex();
    Responder::Options options{0.5, 3};
    const double ru_score = Responder(index, options).Decide("забыл пароль").score;
    ASSERT_GT(ru_score, 0.0);
    options.language_thresholds["ru"] = std::min(1.0, ru_score + 0.01);  // just out of reach
    Responder strict_ru(index, options);
    EXPECT_EQ(strict_ru.Decide("забыл пароль").kind, Decision::Kind::kHandoff);
    EXPECT_EQ(strict_ru.Decide("I forgot my password").kind, Decision::Kind::kAnswer) << "English keeps 0.5";
    options.threshold = 1.0;  // nobody passes the shared one…
    options.language_thresholds["ru"] = 0.0;  // …but Russian has its own
    EXPECT_EQ(Responder(index, options).Decide("забыл пароль").kind, Decision::Kind::kAnswer);
}

TEST(ParseLanguageThresholds, ReadsPairsAndNamesTheBadItem) {
    auto ok = ParseLanguageThresholds("ru=0.45,en=0.5");
    ASSERT_TRUE(ok);
    EXPECT_DOUBLE_EQ(ok->at("ru"), 0.45);
    EXPECT_DOUBLE_EQ(ok->at("en"), 0.5);
    EXPECT_TRUE(ParseLanguageThresholds("")->empty());
    for (const char* bad : {"ru", "ru=", "=0.4", "ru=1.5", "ru=abc", "ru=0.4,en"}) {
        auto r = ParseLanguageThresholds(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("LANG=THRESHOLD"), std::string::npos);
    }
}

// An article's links and channels (kb::Article::links, ::channels).
kb::LiveIndex IndexWithLinksAndChannels() {
    std::vector<kb::Article> articles{
        {ArticleId("en-reset"), {"how do I reset my password", "forgot my password"}, "Open the reset page.", "en", {}, true, 1},
        {ArticleId("en-refund"), {"can I get a refund", "I want my money back"}, "Refunds within 14 days.", "en", {}, true, 1},
        {ArticleId("hello"), {"hello", "hi there"}, "Hi! I am the Acme assistant.", "en", {}, true, 1},
    };
    articles[0].links = {{"Reset page", "https://acme.example/reset"}, {"", "https://acme.example/help"}};
    articles[1].channels = {"telegram"};
    articles[2].links = {{"Our help centre", "https://acme.example/help"}};
    return kb::LiveIndex(std::make_shared<const kb::Index>(std::move(articles)));
}

TEST(Responder, AnAnswerEndsWithItsArticlesLinksOnePerLine) {
    auto index = IndexWithLinksAndChannels();
    Responder r(index, {0.5, 3});
    auto d = r.Decide("I forgot my password");
    ASSERT_EQ(d.kind, Decision::Kind::kAnswer);
    EXPECT_EQ(d.text,
              "Open the reset page.\n\nReset page: https://acme.example/reset\nhttps://acme.example/help");
    auto hello = r.Decide("hello");  // the knowledge base's own small talk: its links too
    ASSERT_EQ(hello.kind, Decision::Kind::kSmallTalk);
    EXPECT_EQ(hello.text, "Hi! I am the Acme assistant.\n\nOur help centre: https://acme.example/help");
}

TEST(Responder, AnArticleAnswersOnlyOnTheChannelsItIsAllowedOn) {
    auto index = IndexWithLinksAndChannels();
    Responder r(index, {0.5, 3});
    Responder::Context on;
    on.channel = "telegram";
    auto d = r.Decide("can I get a refund", "en", on);
    ASSERT_EQ(d.kind, Decision::Kind::kAnswer);
    EXPECT_EQ(d.article.str(), "en-refund");
    EXPECT_EQ(r.Decide("can I get a refund", "en").article.str(), "en-refund") << "no channel: any article";

    Responder::Context web;
    web.channel = "web";
    auto off = r.Decide("can I get a refund", "en", web);
    EXPECT_EQ(off.kind, Decision::Kind::kHandoff);
    for (const auto& c : off.candidates) {
        EXPECT_NE(c.article->id.str(), "en-refund") << "nor offered to the operator";
    }
    EXPECT_EQ(r.Decide("I forgot my password", "en", web).article.str(), "en-reset")
        << "unrestricted: every channel";
}

}  // namespace
}  // namespace switchboard::assistant
