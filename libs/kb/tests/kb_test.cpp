#include <gtest/gtest.h>

#include <algorithm>

#include "switchboard/kb/article.hpp"
#include "switchboard/kb/embedder.hpp"
#include "switchboard/kb/index.hpp"
#include "switchboard/kb/text.hpp"

namespace switchboard::kb {
namespace {

TEST(Normalize, FoldsCaseAndPunctuationInBothScripts) {
    EXPECT_EQ(Normalize("Hello, WORLD!!"), "hello world");
    EXPECT_EQ(Normalize("Как СБРОСИТЬ пароль? Ёлка"), "как сбросить пароль елка");
    EXPECT_EQ(Normalize("  a\tb\n"), "a b");
    EXPECT_EQ(Normalize(std::string("ok\xff\xfe", 4)), "ok");
}

TEST(Normalize, AWordTypedInTwoScriptsTakesItsMajorityScript) {
    EXPECT_EQ(Normalize("пaроль"), "пароль");      // Latin a among Cyrillic
    EXPECT_EQ(Normalize("pаssword"), "password");  // Cyrillic а among Latin
    EXPECT_EQ(Normalize("ПAРОЛЬ от KAБИНЕТА"), "пароль от кабинета");
    EXPECT_EQ(Normalize("iPhone айфон"), "iphone айфон");  // each word in one script: untouched
    EXPECT_EQ(Normalize("fзd"), "fзd");  // f and з have no lookalikes: a real mix, left alone
}

TEST(Normalize, ComposesLettersFoldsFullwidthAndDropsInvisibleCharacters) {
    EXPECT_EQ(Normalize("е\u0308лка"), Normalize("ёлка"));  // е + combining diaeresis
    EXPECT_EQ(Normalize("Е\u0308ЛКА"), "елка");
    EXPECT_EQ(Normalize("и\u0306од"), Normalize("йод"));  // и + combining breve
    EXPECT_EQ(Normalize("И\u0306ОД"), "йод");
    EXPECT_EQ(Normalize("cafe\u0301"), Normalize("café"));
    EXPECT_EQ(Normalize("е\u200B\u0308лка"), "елка");  // the mark composes past an invisible character
    EXPECT_EQ(Normalize("приве\u0301т"), "привет");    // a stress mark composes nothing: no word break
    EXPECT_EQ(Normalize("ｗｈｅｒｅ　ｉｓ　ＭＹ　ｏｒｄｅｒ１２？"), "where is my order12");
    EXPECT_EQ(Normalize("pass\u00ADword"), "password");  // soft hyphen
    for (const char* invisible : {"\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF"}) {
        EXPECT_EQ(Normalize(std::string("па") + invisible + "роль"), "пароль") << invisible;
    }
    EXPECT_EQ(Normalize("\uFEFFhello"), "hello");
    EXPECT_EQ(StemmedTokens("е\u0308лками"), StemmedTokens("ёлками"));
}

TEST(FoldForEncoder, LowerCaseAsciiComesBackByteForByte) {
    std::string ascii;
    for (int c = 1; c < 0x80; ++c) {
        if (c < 'A' || c > 'Z') ascii.push_back(static_cast<char>(c));
    }
    EXPECT_EQ(FoldForEncoder(ascii), ascii);
    for (const char* text : {"", " ", "how do i reset my password", "what's   the\tplan?!\n",
                             "  trailing spaces  ", "e-mail: me@example.com, 2fa (sms)", "a\r\nb"}) {
        EXPECT_EQ(FoldForEncoder(text), text);
    }
    for (const char* text : {"как пригласить коллегу? 👍", "«ёлка» — café", "приве\u0301т", "fзd"}) {
        EXPECT_EQ(FoldForEncoder(text), text) << "nothing to change";
    }
}

TEST(FoldForEncoder, FoldsCaseAndFormsButKeepsPunctuationAndSpacing) {
    EXPECT_EQ(FoldForEncoder("КАК ПРИГЛАСИТЬ КОЛЛЕГУ"), "как пригласить коллегу");
    EXPECT_EQ(FoldForEncoder("Hello,  WORLD!!\n"), "hello,  world!!\n");
    EXPECT_EQ(FoldForEncoder("Ёлка, ÉTÉ, Ґанок"), "ёлка, été, ґанок");  // ё stays ё, unlike Normalize
    EXPECT_EQ(FoldForEncoder("е\u0308лка"), "ёлка");
    EXPECT_EQ(FoldForEncoder("И\u0306ОД"), "йод");
    EXPECT_EQ(FoldForEncoder("ｗｈｅｒｅ　ｉｓ　ｍｙ　ｏｒｄｅｒ？"), "where is my order?");
    EXPECT_EQ(FoldForEncoder("pass\u00ADword \uFEFFпа\u200Bроль"), "password пароль");
    EXPECT_EQ(FoldForEncoder("ПAРОЛЬ от KAБИНЕТА!"), "пароль от кабинета!");  // Latin A, K among Cyrillic
    EXPECT_EQ(FoldForEncoder("iPhone, айфон"), "iphone, айфон");
    EXPECT_EQ(FoldForEncoder(std::string("ok\xff!", 4)), "ok!");  // invalid UTF-8 dropped
}

TEST(FoldForEncoder, IsIdempotentAndAgreesWithNormalize) {
    for (const char* text :
         {"КАК ПРИГЛАСИТЬ КОЛЛЕГУ?", "Е\u0308лка и\u200B\u0306од", "ｗｈｅｒｅ　ｉｓ　ＭＹ　ｏｒｄｅｒ",
          "ПAРОЛЬ от KAБИНЕТА", "pаssword", "Hello, WORLD!!", "приве\u0301т"}) {
        const std::string once = FoldForEncoder(text);
        EXPECT_EQ(FoldForEncoder(once), once) << text;
        EXPECT_EQ(Normalize(once), Normalize(text)) << text;
    }
}

TEST(EncoderText, AShoutedMessageIsReadInLowerCase) {
    EXPECT_EQ(EncoderText("КАК СБРОСИТЬ ПАРОЛЬ?"), "как сбросить пароль?");
    EXPECT_EQ(EncoderText("HOW DO I RESET MY PASSWORD"), "how do i reset my password");
}

TEST(EncoderText, SentenceCaseAndCapitalizedWordsStayAsTyped) {
    for (const char* typed : {"How do I export a PDF?", "Как сбросить пароль в iOS?", "how do i reset my password",
                              "Где найти квитанцию 🙂"}) {
        EXPECT_EQ(EncoderText(typed), typed);
    }
}

TEST(EncoderText, AWordInTwoScriptsOrWithInvisibleCharactersIsFolded) {
    EXPECT_EQ(EncoderText("как сбросить пaроль"), "как сбросить пароль") << "a Latin a among Cyrillic";
    EXPECT_EQ(EncoderText("reset my pаssword"), "reset my password") << "a Cyrillic а among Latin";
    EXPECT_EQ(EncoderText("удале\u0308нные файлы"), "удалённые файлы") << "е + combining diaeresis";
    EXPECT_EQ(EncoderText("pass\u00ADword"), "password") << "soft hyphen";
    EXPECT_EQ(EncoderText("Reset ｐａｓｓｗｏｒｄ"), "Reset password") << "fullwidth; the other word keeps its case";
}

TEST(StemmedTokens, ReducesInflections) {
    EXPECT_EQ(StemmedTokens("passwords")[0], StemmedTokens("password")[0]);
    EXPECT_EQ(StemmedTokens("паролем")[0], StemmedTokens("пароль")[0]);
}

TEST(ClassifyIntent, RecognisesHumanRequestsGreetingsThanks) {
    EXPECT_EQ(ClassifyIntent("I want a human"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("human please"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("позовите оператора"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("хочу поговорить с живым человеком"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("Operator!"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("живой человек"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("нужен живой оператор"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("how can I talk to a human"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("oператор"), Intent::kHumanRequest);  // a Latin o
    EXPECT_EQ(ClassifyIntent("аператор пожалуйста"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("I'd like to speak with someone"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("get me a manager"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("can I speak to a person"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("person please"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("can I please talk to a real person about my order"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("I need an agent, the bot keeps getting it wrong"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("соедините меня с оператором, пожалуйста"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("Позовите сотрудника поддержки срочно"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("are you able to connect me to an agent"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("are you really not able to get me a live agent"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("вы можете соединить меня с оператором?"), Intent::kHumanRequest);
    EXPECT_EQ(ClassifyIntent("Hi there!"), Intent::kGreeting);
    EXPECT_EQ(ClassifyIntent("Здравствуйте"), Intent::kGreeting);
    EXPECT_EQ(ClassifyIntent("thank you!"), Intent::kThanks);
    EXPECT_EQ(ClassifyIntent("Спасибо большое"), Intent::kThanks);
    EXPECT_EQ(ClassifyIntent("hi, how do I reset my password?"), Intent::kQuestion);
    EXPECT_EQ(ClassifyIntent("thank you, but what about refunds"), Intent::kQuestion);
    EXPECT_EQ(ClassifyIntent("that didn't help"), Intent::kNotHelpful);
    EXPECT_EQ(ClassifyIntent("Не помогло("), Intent::kNotHelpful);
    EXPECT_EQ(ClassifyIntent("это не то"), Intent::kNotHelpful);
    EXPECT_EQ(ClassifyIntent("still doesn't work"), Intent::kNotHelpful);
    EXPECT_EQ(ClassifyIntent("Всё равно не работает"), Intent::kNotHelpful);
    EXPECT_EQ(ClassifyIntent("my card doesn't work"), Intent::kQuestion) << "a new problem, maybe answerable";
    EXPECT_EQ(ClassifyIntent("не тот пароль приходит"), Intent::kQuestion);
    EXPECT_EQ(ClassifyIntent("I reset the password as you said but the link in the email still "
                             "didn't work for my account yesterday"),
              Intent::kQuestion);
}

// A person named in a question is not a wish to talk to one (CLINC150's own questions).
TEST(ClassifyIntent, APersonMentionedIsNotAPersonRequested) {
    for (const char* question :
         {"why are humans on earth", "what is the interesting trivia about human bodies",
          "inform carl that he is an awful human being", "what is the phone number of my insurance agent",
          "are you a human or a computer", "i need to know whether you are a human or are a computer",
          "am i speaking with a real person", "is this a real person i am chatting with",
          "could you be human", "would you call yourself a human or a computer", "how many humans",
          "сколько человек?", "живой звук на концерте", "where is the operator manual",
          "can i redeem my points by transferring them to someone as a gift",
          "how much is the tour per person", "is the price for a person or for a group",
          "ты живой человек?", "сколько человек может быть в одной группе"}) {
        EXPECT_EQ(ClassifyIntent(question), Intent::kQuestion) << question;
    }
}

// Someone's person, or one a note is shared with, is not support's (an audit of the product).
TEST(ClassifyIntent, SomeonesPersonIsNotSupports) {
    for (const char* question :
         {"my insurance agent", "my travel agent needs access to my notes",
          "хочу дать доступ к заметке другому человеку", "I need to add my manager to our team",
          "how do I give my manager access to a note", "I want to share a note with a person outside my team",
          "менеджер не видит заметки", "оператор связи блокирует синхронизацию",
          "can i get someone to check my check engine light", "i need to add a person to my bank account",
          "what time does your chat support close", "how do I contact support by email",
          "сколько человек могу пригласить к заметке на бесплатном тарифе",
          "я админ, как пригласить новых сотрудников в наш team", "the operator didn't speak english",
          "my manager can talk to you tomorrow", "do you give my personal info to advertisers"}) {
        EXPECT_EQ(ClassifyIntent(question), Intent::kQuestion) << question;
    }
}

TEST(ClassifyIntent, MoreWaysToAskForAPerson) {
    for (const char* request :
         {"agent", "оператор", "аператор", "живой человек", "human please", "live agent",
          "позовите оператора", "I want to talk to a real person", "connect me to customer service",
          "talk to support staff", "свяжите меня с поддержкой", "can I speak to someone from support",
          "is there a human I can talk to", "как связаться с оператором",
          "поговорить с кем-нибудь из поддержки", "transfer me to a live agent",
          "i need to speak to customer service regarding my flight", "get me someone real",
          "I need help from a human"}) {
        EXPECT_EQ(ClassifyIntent(request), Intent::kHumanRequest) << request;
    }
}

TEST(ClassifyIntent, ThanksWithAnAcknowledgementIsThanks) {
    for (const char* thanks :
         {"ok thanks", "thank you so much", "great, thanks", "perfect, thank you", "cool thanks",
          "thanks, that helped", "спасибо, помогло", "ясно, спасибо", "спс", "thanks 👍", "Спасибо большое!",
          "thanks for your help", "thanks a million", "ok, thank you very much, that works now"}) {
        EXPECT_EQ(ClassifyIntent(thanks), Intent::kThanks) << thanks;
    }
    // Thanks with a question or a request after it is that question.
    for (const char* question :
         {"thanks, but how do I cancel my plan?", "thank you, and where do I find invoices?",
          "thanks, is that all?", "no thanks", "спасибо, а как удалить заметку",
          "i really want to know my todo list again thanks", "how do i say thank you in spanish"}) {
        EXPECT_EQ(ClassifyIntent(question), Intent::kQuestion) << question;
    }
    EXPECT_EQ(ClassifyIntent("thanks, but that didn't help"), Intent::kNotHelpful);
}

TEST(ParseJsonl, ReadsArticlesAndSkipsBlankLines) {
    auto r = ParseJsonl(
        R"({"id":"a","questions":["q1","q2"],"answer":"A","lang":"en","tags":["t"]})"
        "\n\n"
        R"({"id":"b","questions":["q3"],"answer":"B"})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].questions.size(), 2u);
    EXPECT_EQ((*r)[0].tags[0], "t");
    EXPECT_TRUE((*r)[1].enabled);
}

TEST(ParseJsonl, NamesTheBadLineAndImportsNothing) {
    auto bad = [](std::string_view content, std::string_view expect) {
        auto r = ParseJsonl(content);
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find(expect), std::string::npos) << r.error().message;
    };
    bad(R"({"id":"a","questions":["q"],"answer":"A"})"
        "\n{not json}",
        "line 2: invalid JSON");
    bad(R"({"questions":["q"],"answer":"A"})", "line 1: missing \"id\"");
    bad(R"({"id":"a","questions":[],"answer":"A"})", "at least one question");
    bad(R"({"id":"a","questions":["q"],"answer":7})", "\"answer\" must be a string");
    bad(R"({"id":"a","questions":["q"],"answer":"A"})"
        "\n"
        R"({"id":"a","questions":["q"],"answer":"B"})",
        "line 2: duplicate id");
}

std::vector<Article> Sample() {
    return {
        {ArticleId("reset"), {"how do I reset my password", "forgot password"}, "Use the reset link.", "en", {}, true, 1},
        {ArticleId("refund"), {"can I get a refund", "money back"}, "Within 14 days.", "en", {}, true, 1},
        {ArticleId("ru-reset"), {"как сбросить пароль", "забыл пароль"}, "Ссылка для сброса.", "ru", {}, true, 1},
        {ArticleId("off"), {"disabled article about passwords"}, "x", "en", {}, false, 1},
    };
}

TEST(Index, FindsTheRightArticleDespiteInflectionAndCase) {
    Index idx(Sample());
    auto m = idx.Search("I FORGOT my passwords", 3);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m[0].article->id.str(), "reset");
    EXPECT_GT(m[0].score, 0.5);
    auto ru = idx.Search("Забыла пароль", 3);
    ASSERT_FALSE(ru.empty());
    EXPECT_EQ(ru[0].article->id.str(), "ru-reset");
}

TEST(Index, ToleratesTyposAndMixedScripts) {
    Index idx(Sample());
    auto typo = idx.Search("forgott my pasword", 3);
    ASSERT_FALSE(typo.empty());
    EXPECT_EQ(typo[0].article->id.str(), "reset");
    auto ru = idx.Search("забыл пороль", 3);
    ASSERT_FALSE(ru.empty());
    EXPECT_EQ(ru[0].article->id.str(), "ru-reset");
}

TEST(Index, ExactVariantScoresOneInRetrieval) {
    Index::Options retrieval_only;
    retrieval_only.classifier_weight = 0;
    Index idx(Sample(), retrieval_only);
    auto m = idx.Search("can I get a refund", 1);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].article->id.str(), "refund");
    EXPECT_NEAR(m[0].score, 1.0, 1e-6);
}

// Maps texts mentioning a "topic word" to that topic's axis: a stand-in for a sentence encoder
// that knows "cash" and "money" mean the same.
class TopicEmbedder final : public Embedder {
public:
    std::vector<float> Embed(std::string_view text) const override {
        std::vector<float> v(3, 0.0f);
        const std::string t(text);
        if (t.find("money") != std::string::npos || t.find("cash") != std::string::npos) v[0] = 1;
        else if (t.find("password") != std::string::npos || t.find("login") != std::string::npos) v[1] = 1;
        else v[2] = 1;
        return v;
    }
    std::size_t dim() const override { return 3; }
};

TEST(Index, SemanticSpaceFindsParaphrasesWithoutSharedWords) {
    TopicEmbedder embedder;
    Index::Options options;
    options.classifier_weight = 0;  // retrieval alone
    Index hybrid(Sample(), options, {{&embedder, 1.0, {}}});
    auto m = hybrid.Search("cash", 3);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m[0].article->id.str(), "refund") << "'cash' shares no word with 'money back'";
    Index lexical(Sample(), options);
    auto l = lexical.Search("cash", 3);
    EXPECT_TRUE(l.empty() || l[0].score < m[0].score);
}

TEST(Index, AnEncoderCountsInRetrievalOnlyForItsLanguages) {
    TopicEmbedder embedder;
    Index::Options options;
    options.classifier_weight = 0;  // retrieval alone
    Index english_only(Sample(), options, {{&embedder, 1.0, {"en"}}});
    Index lexical(Sample(), options);
    const auto ru = english_only.Search("совсем забыл мой пароль", 1, "ru");
    const auto ru_lexical = lexical.Search("совсем забыл мой пароль", 1, "ru");
    ASSERT_FALSE(ru.empty());
    ASSERT_FALSE(ru_lexical.empty());
    EXPECT_DOUBLE_EQ(ru[0].score, ru_lexical[0].score) << "a Russian query ignores an English-only encoder";
    const auto en = english_only.Search("cash", 1, "en");
    ASSERT_FALSE(en.empty());
    EXPECT_EQ(en[0].article->id.str(), "refund") << "an English query uses it";
}

TEST(Index, ClassifierOnEmbeddingsRanksTheRightArticleDeterministically) {
    TopicEmbedder embedder;
    Index::Options options;
    options.classifier_weight = 1.0;  // the classifier's probability alone
    Index a(Sample(), options, {{&embedder, 1.0, {}}});
    Index b(Sample(), options, {{&embedder, 1.0, {}}});
    auto m = a.Search("cash", 2);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m[0].article->id.str(), "refund");
    EXPECT_GT(m[0].score, 0.4) << "trained to put well over a uniform 1/4 on the right article";
    EXPECT_DOUBLE_EQ(m[0].score, b.Search("cash", 2)[0].score) << "same data, same model";
}

TEST(Index, SemanticScoringOfCandidatesOnlyKeepsTheWinner) {
    TopicEmbedder embedder;
    Index::Options every;
    every.semantic_candidates = 0;
    Index::Options two = every;
    two.semantic_candidates = 2;  // of 4 articles: the best by retrieval, the best by the classifier
    Index full(Sample(), every, {{&embedder, 1.0, {}}});
    Index few(Sample(), two, {{&embedder, 1.0, {}}});
    for (const char* query : {"cash", "money please", "login"}) {
        const auto want = full.Search(query, 1);
        const auto got = few.Search(query, 1);
        ASSERT_FALSE(want.empty()) << query;
        ASSERT_FALSE(got.empty()) << query;
        EXPECT_EQ(got[0].article->id, want[0].article->id) << query;
        EXPECT_DOUBLE_EQ(got[0].score, want[0].score) << query;
    }
    // Without the classifier, retrieval alone would pick the candidates: "cash" shares no word
    // with any variant, so every variant is scored.
    Index::Options no_classifier = two;
    no_classifier.classifier_weight = 0;
    no_classifier.semantic_candidates = 1;
    const auto m = Index(Sample(), no_classifier, {{&embedder, 1.0, {}}}).Search("cash", 1);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m[0].article->id.str(), "refund");
}

TEST(Index, AMatchCarriesWhatItsScoreBlends) {
    TopicEmbedder embedder;
    Index::Options options;
    options.classifier_weight = 0.3;
    Index idx(Sample(), options, {{&embedder, 1.0, {}}});
    const auto m = idx.Search("can I get a refund", 2);
    ASSERT_EQ(m.size(), 2u);
    for (const auto& x : m) {
        EXPECT_NEAR(x.score, 0.7 * x.retrieval + 0.3 * x.probability, 1e-9) << x.article->id.str();
        EXPECT_GT(x.probability, 0) << x.article->id.str();
    }
    EXPECT_NEAR(m[0].best_variant, 1.0, 1e-6) << "the query is one of its variants, word for word";
    EXPECT_LT(m[1].best_variant, m[0].best_variant);
    EXPECT_GT(m[0].probability, m[1].probability);
}

TEST(Index, UnrelatedQueryScoresLowAndDisabledArticlesNeverMatch) {
    Index idx(Sample());
    auto m = idx.Search("what is the weather on mars", 3);
    EXPECT_TRUE(m.empty() || m[0].score < 0.3);
    for (const auto& x : idx.Search("disabled article", 5)) EXPECT_NE(x.article->id.str(), "off");
}

TEST(Index, LanguageFilterAndK) {
    Index idx(Sample());
    for (const auto& x : idx.Search("password пароль", 5, "ru")) EXPECT_EQ(x.article->lang, "ru");
    EXPECT_LE(idx.Search("password refund money", 1).size(), 1u);
    EXPECT_TRUE(idx.Search("password пароль", 5, "de").empty()) << "no article in that language";
    EXPECT_TRUE(idx.Search("password", 0).empty());
}

TEST(Index, LanguagesMatchByPrimarySubtagAndALanguagelessArticleIsInEvery) {
    std::vector<Article> articles = Sample();
    articles[0].lang = "EN-us";  // "reset"
    articles[1].lang = "";       // "refund": any language
    Index idx(std::move(articles));
    auto ids = [&](std::string_view query, std::string_view lang) {
        std::vector<std::string> out;
        for (const auto& m : idx.Search(query, 5, lang)) out.push_back(m.article->id.str());
        return out;
    };
    for (const char* lang : {"en", "en-GB", "EN"}) {
        const auto found = ids("I forgot my password", lang);
        ASSERT_FALSE(found.empty()) << lang;
        EXPECT_EQ(found.front(), "reset") << lang;
    }
    for (const char* lang : {"en", "ru", "de"}) {
        const auto found = ids("can I get a refund", lang);
        ASSERT_FALSE(found.empty()) << lang;
        EXPECT_EQ(found.front(), "refund") << lang;
    }
    for (const auto& id : ids("забыл пароль", "ru")) EXPECT_NE(id, "reset");
}

TEST(Index, AChannelRestrictedArticleAnswersOnlyOnItsChannels) {
    std::vector<Article> articles = Sample();
    articles[0].channels = {"telegram", "email"};  // "reset"
    articles[2].channels = {"web"};                // "ru-reset"
    Index idx(std::move(articles));
    auto ids = [&](std::string_view lang, std::string_view channel) {
        std::vector<std::string> out;
        for (const auto& m : idx.Search("I forgot my password", 5, lang, channel))
            out.push_back(m.article->id.str());
        return out;
    };
    auto has_reset = [](const std::vector<std::string>& found) {
        return std::find(found.begin(), found.end(), "reset") != found.end();
    };
    ASSERT_FALSE(ids("", "telegram").empty());
    EXPECT_EQ(ids("", "telegram").front(), "reset");
    EXPECT_EQ(ids("", "email").front(), "reset");
    EXPECT_EQ(ids("", "").front(), "reset") << "no channel: every article";
    EXPECT_EQ(ids("en", "").front(), "reset");
    EXPECT_FALSE(has_reset(ids("", "web")));
    EXPECT_FALSE(has_reset(ids("en", "whatsapp")));
    EXPECT_FALSE(has_reset(ids("", "sms"))) << "a channel no article names: only unrestricted ones";
    EXPECT_FALSE(ids("", "sms").empty()) << "unrestricted articles still answer there";
    // Channel and language together.
    EXPECT_TRUE(idx.Search("забыл пароль", 5, "ru", "telegram").empty());
    ASSERT_FALSE(idx.Search("забыл пароль", 5, "ru", "web").empty());
    EXPECT_EQ(idx.Search("забыл пароль", 5, "ru", "web").front().article->id.str(), "ru-reset");
}

TEST(AnswerText, AppendsOneLinePerLinkAfterABlankLine) {
    Article a{ArticleId("a"), {"q"}, "Open settings.", "en", {}, true, 1};
    EXPECT_EQ(AnswerText(a), "Open settings.");
    a.links = {{"Reset page", "https://example.com/reset"}, {"", "https://example.com/help"}};
    EXPECT_EQ(AnswerText(a),
              "Open settings.\n\nReset page: https://example.com/reset\nhttps://example.com/help");
}

TEST(ParseJsonl, ReadsLinksAndChannels) {
    auto r = ParseJsonl(
        R"({"id":"a","questions":["q"],"answer":"A","links":[{"title":"Docs","url":"https://x.org/d"},)"
        R"({"url":"http://x.org"},{"title":null,"url":"https://y.org"}],"channels":["web","email"]})"
        "\n"
        R"({"id":"b","questions":["q"],"answer":"B","links":null,"channels":null})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ((*r)[0].links,
              (std::vector<Link>{{"Docs", "https://x.org/d"}, {"", "http://x.org"}, {"", "https://y.org"}}));
    EXPECT_EQ((*r)[0].channels, (std::vector<std::string>{"web", "email"}));
    EXPECT_TRUE((*r)[1].links.empty());
    EXPECT_TRUE((*r)[1].channels.empty());

    auto bad = [](std::string_view fields, std::string_view expect) {
        auto b = ParseJsonl(R"({"id":"a","questions":["q"],"answer":"A",)" + std::string(fields) + "}");
        ASSERT_FALSE(b.ok()) << fields;
        EXPECT_NE(b.error().message.find(expect), std::string::npos) << b.error().message;
    };
    bad(R"("links":"https://x.org")",
        "line 1: \"links\" must be an array of {\"title\": string, \"url\": string}");
    bad(R"("links":["https://x.org"])", "\"links\" must be an array");
    bad(R"("links":[{"href":"https://x.org"}])", "\"links\" must be an array");
    bad(R"("links":[{"url":7}])", "\"links\" must be an array");
    bad(R"("links":[{"title":"no url"}])", "line 1: a link in \"links\" has no \"url\"");
    bad(R"("channels":"web")", "\"channels\" must be an array of strings");
    bad(R"("channels":[1])", "\"channels\" must be an array of strings");
}

}  // namespace
}  // namespace switchboard::kb

namespace switchboard::kb {
namespace {

// Embeds a text as (its length, 1) and counts the texts it was asked for.
class CountingEmbedder final : public Embedder {
public:
    std::vector<float> Embed(std::string_view text) const override {
        ++calls;
        return {static_cast<float>(text.size()), 1.0F};
    }
    std::size_t dim() const override { return 2; }
    mutable int calls = 0;
};

TEST(CachingEmbedder, RemembersBatchesButNotSingleQueries) {
    const CountingEmbedder inner;
    const CachingEmbedder cache(inner);
    const std::vector<std::string> variants = {"reset password", "refund", "reset password"};
    const auto first = cache.EmbedBatch(variants);
    ASSERT_EQ(first.size(), 3U);
    EXPECT_EQ(first[0], first[2]);
    EXPECT_EQ(inner.calls, 3) << "one inner batch with every text it lacked";
    EXPECT_EQ(cache.EmbedBatch({"refund", "new variant"})[1], (std::vector<float>{11.0F, 1.0F}));
    EXPECT_EQ(inner.calls, 4) << "only the new variant";
    EXPECT_EQ(cache.Embed("refund"), first[1]);
    EXPECT_EQ(inner.calls, 4) << "a query finds a remembered variant";
    cache.Embed("a customer's question");
    cache.Embed("a customer's question");
    EXPECT_EQ(inner.calls, 6) << "queries are not remembered";
}

TEST(EmbedRemembering, ReportsWhatItAdded) {
    const CountingEmbedder inner;
    std::mutex mu;
    std::unordered_map<std::string, std::vector<float>> known{{"old", {3.0F, 1.0F}}};
    std::vector<std::string> added;
    EmbedRemembering(inner, mu, known, {"old", "new", "new"}, &added);
    EXPECT_EQ(added, (std::vector<std::string>{"new"}));
    EXPECT_EQ(known.size(), 2U);
}

}  // namespace
}  // namespace switchboard::kb
