#include "switchboard/kb/formats.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "switchboard/kb/article.hpp"

namespace switchboard::kb {
namespace {

Article Make(std::string id, std::vector<std::string> questions, std::string answer, std::string lang,
             std::vector<std::string> tags = {}, bool enabled = true, std::int64_t version = 0) {
    return Article{ArticleId(std::move(id)),
                   std::move(questions),
                   std::move(answer),
                   std::move(lang),
                   std::move(tags),
                   enabled,
                   version};
}

// Articles that exercise every escaping rule of every format.
std::vector<Article> Tricky() {
    std::vector<Article> articles{
        Make("en-reset", {"how do I reset my password?", "forgot password, \"help\""},
             "Open settings, then \"Reset\".\n\nThe link is valid for 1 hour; really.", "en",
             {"account", "login"}),
        Make("ru-reset", {"как сбросить пароль"}, "Откройте настройки → «Сброс».", "ru", {}, false),
        Make("md-tricky", {"what does ## mean", "C#"},
             "## is not a heading here\n<!-- article: {} --> either\n\\## nor this\n```\n## inside a "
             "fence\n```\nend",
             "en", {"markdown stuff", "md", "markdown stuff"}),  // a repeated tag is valid, and kept
    };
    // A title ending in ':' (CSV writes "title: url"), one without a title, a url with a comma and
    // a quote; a title that reads like a heading and the comment's end inside the comment.
    articles[0].links = {{"Reset page:", "https://example.com/reset?a=1,b=\"2\""},
                         {"", "http://example.com/help"}};
    articles[0].channels = {"web", "telegram"};
    articles[2].links = {{"## not a heading -->", "HTTPS://example.com/md"}};
    articles[2].channels = {"email"};
    return articles;
}

std::vector<Article> WithoutVersions(std::vector<Article> articles) {
    for (Article& a : articles) a.version = 0;
    return articles;
}

void ExpectError(const Result<std::vector<Article>>& r, std::string_view expected) {
    ASSERT_FALSE(r.ok()) << "imported " << r.value().size() << " articles";
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
}

// ---- validation ----

TEST(ValidateArticle, AcceptsTheLimitsAndNamesWhatIsWrong) {
    Article a = Make("a.b:c-1_2", {"q"}, "A", "en", {"t"});
    EXPECT_TRUE(ValidateArticle(a).ok());
    a.questions.assign(kMaxQuestions, "q");
    a.questions.front() = std::string(kMaxQuestionBytes, 'x');
    a.answer = std::string(kMaxAnswerBytes, 'y');
    EXPECT_TRUE(ValidateArticle(a).ok()) << ValidateArticle(a).error().message;

    auto problem = [](Article x) {
        return ValidateArticle(x).ok() ? std::string() : ValidateArticle(x).error().message;
    };
    Article bad = a;
    bad.id = ArticleId("has space");
    EXPECT_NE(problem(bad).find("id \"has space\""), std::string::npos);
    bad = a;
    bad.id = ArticleId(std::string(129, 'a'));
    EXPECT_NE(problem(bad).find("1..128"), std::string::npos);
    bad = a;
    bad.questions.push_back("one too many");
    EXPECT_NE(problem(bad).find("51 questions"), std::string::npos);
    bad = a;
    bad.questions.clear();
    EXPECT_NE(problem(bad).find("no question"), std::string::npos);
    bad = a;
    bad.questions[2] = std::string(kMaxQuestionBytes + 1, 'x');
    EXPECT_EQ(problem(bad), "question 3 is longer than 1000 bytes");
    bad = a;
    bad.questions[0] = "   ";
    EXPECT_EQ(problem(bad), "question 1 is empty");
    bad = a;
    bad.questions[0] = "two\nlines";
    EXPECT_EQ(problem(bad), "question 1 contains a line break");
    bad = a;
    bad.questions[1] = "bad \xC3\x28 utf8";
    EXPECT_EQ(problem(bad), "question 2 is not valid UTF-8");
    bad = a;
    bad.answer += "z";
    EXPECT_EQ(problem(bad), "answer is longer than 8000 bytes");
    bad = a;
    bad.answer = "";
    EXPECT_EQ(problem(bad), "answer is empty");
    bad = a;
    bad.answer = "\xED\xA0\x80";  // a UTF-16 surrogate
    EXPECT_EQ(problem(bad), "answer is not valid UTF-8");
    bad = a;
    bad.lang = "en US";
    EXPECT_NE(problem(bad).find("lang"), std::string::npos);
    for (const char* lang :
         {"english", "123", "e", "x-private", "en-", "-en", "en--us", "en-toolongsubtag"}) {
        bad.lang = lang;
        EXPECT_NE(problem(bad).find("is not a language tag"), std::string::npos) << lang;
    }
    for (const char* lang : {"", "en", "ru", "EN", "en-US", "sr-Latn-RS", "yue"})
        EXPECT_TRUE(ValidateLang(lang).ok()) << lang;
    bad = a;
    bad.tags = {"a;b"};
    EXPECT_NE(problem(bad).find("tag \"a;b\""), std::string::npos);
}

TEST(ValidateArticle, LinksAndChannels) {
    Article a = Make("a", {"q"}, "A", "en");
    for (std::size_t i = 0; i < kMaxLinks; ++i)
        a.links.push_back({"", "https://example.com/" + std::to_string(i)});
    a.links[0] = {std::string(kMaxLinkTitleBytes, 't'), "HTTP://" + std::string(kMaxLinkUrlBytes - 7, 'u')};
    a.channels = {"web", "telegram", "whatsapp", "email"};
    EXPECT_TRUE(ValidateArticle(a).ok()) << ValidateArticle(a).error().message;

    auto problem = [&](auto change) {
        Article x = a;
        change(x);
        return ValidateArticle(x).ok() ? std::string() : ValidateArticle(x).error().message;
    };
    EXPECT_EQ(problem([](Article& x) {
                  x.links.push_back({"", "https://one.more"});
              }),
              "article has 11 links, at most 10 are allowed");
    EXPECT_EQ(problem([](Article& x) { x.links[1].url = "ftp://example.com"; }),
              "link 2 url \"ftp://example.com\" must start with http:// or https://");
    EXPECT_EQ(problem([](Article& x) { x.links[1].url = "example.com"; }),
              "link 2 url \"example.com\" must start with http:// or https://");
    EXPECT_EQ(problem([](Article& x) { x.links[1].url = "https://"; }),
              "link 2 url \"https://\" must start with http:// or https://");
    EXPECT_EQ(problem([](Article& x) { x.links[1].url = ""; }),
              "link 2 url \"\" must start with http:// or https://");
    EXPECT_EQ(problem([](Article& x) { x.links[0].url += "u"; }), "link 1 url is longer than 2000 bytes");
    EXPECT_EQ(problem([](Article& x) { x.links[2].url = "https://example.com/a b"; }),
              "link 3 url \"https://example.com/a b\" contains a space or a control character");
    EXPECT_EQ(problem([](Article& x) { x.links[2].url = "https://example.com/\n"; }),
              "link 3 url \"https://example.com/\n\" contains a space or a control character");
    EXPECT_EQ(problem([](Article& x) { x.links[2].url = "https://example.com/\xC3\x28"; }),
              "link 3 url is not valid UTF-8");
    EXPECT_EQ(problem([](Article& x) { x.links[0].title += "t"; }), "link 1 title is longer than 200 bytes");
    EXPECT_EQ(problem([](Article& x) { x.links[1].title = "two\nlines"; }),
              "link 2 title contains a line break");
    EXPECT_EQ(problem([](Article& x) { x.links[1].title = "\xFF"; }), "link 2 title is not valid UTF-8");
    EXPECT_EQ(problem([](Article& x) { x.links[4].url = x.links[2].url; }),
              "link 5 repeats the url of link 3");
    EXPECT_EQ(problem([](Article& x) { x.channels.push_back("sms"); }),
              "channel \"sms\" is not one of web, telegram, whatsapp, email");
    EXPECT_EQ(problem([](Article& x) { x.channels = {"Web"}; }),
              "channel \"Web\" is not one of web, telegram, whatsapp, email");
    EXPECT_EQ(problem([](Article& x) {
                  x.channels = {"web", "email", "web"};
              }),
              "channel \"web\" is given twice");
    EXPECT_TRUE(ValidateLink({"", "https://example.com"}).ok());
    EXPECT_EQ(ValidateLink({"", "mailto:a@b.c"}).error().message,
              "link url \"mailto:a@b.c\" must start with http:// or https://");
    EXPECT_TRUE(ValidateChannel("whatsapp").ok());
    EXPECT_FALSE(ValidateChannel("").ok());
}

TEST(IsValidUtf8, RejectsOverlongsSurrogatesAndTruncation) {
    EXPECT_TRUE(IsValidUtf8("plain ascii"));
    EXPECT_TRUE(IsValidUtf8("ёж → 😀"));
    EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
    EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
    EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(DetectLang, MostlyCyrillicIsRussian) {
    EXPECT_EQ(DetectLang("Как сбросить пароль в Nimbus?"), "ru");
    EXPECT_EQ(DetectLang("How do I reset my пароль"), "en");
    EXPECT_EQ(DetectLang("12345"), "en");
}

// ---- JSONL ----

TEST(Jsonl, ExportRoundTripsExactly) {
    std::vector<Article> articles = Tricky();
    articles[0].version = 7;
    const std::string jsonl = ToJsonl(articles);
    EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 3);
    auto back = ParseJsonl(jsonl);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, articles);
    auto imported = Import(Format::kJsonl, Export(Format::kJsonl, articles));
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_EQ(*imported, articles);
}

TEST(Jsonl, ImportValidatesEveryArticleAndNamesTheLine) {
    ExpectError(ImportJsonl("{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\"}\n\n"
                            "{\"id\":\"bad id\",\"questions\":[\"q\"],\"answer\":\"A\"}"),
                "line 3: id \"bad id\"");
    ExpectError(
        ImportJsonl("{\"id\":\"a\",\"questions\":[\"" + std::string(1001, 'q') + "\"],\"answer\":\"A\"}"),
        "line 1: question 1 is longer than 1000 bytes");
    ExpectError(ImportJsonl("{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\"}\n{oops"),
                "line 2: invalid JSON");
    // Each line is parsed alone: nlohmann's own "line 1" would contradict the file's line.
    auto trailing_comma = ImportJsonl("\n\n{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\",}");
    ExpectError(trailing_comma, "line 3: invalid JSON: ");
    ExpectError(trailing_comma, " at column 42: ");
    EXPECT_EQ(trailing_comma.error().message.find("line 1"), std::string::npos) << trailing_comma.error().message;
    // A BOM and CRLF line ends are fine.
    auto ok = ImportJsonl("\xEF\xBB\xBF{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\"}\r\n");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->size(), 1u);
}

TEST(Jsonl, ImportValidatesLinksAndChannels) {
    ExpectError(
        ImportJsonl(
            "{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\",\"links\":[{\"url\":\"www.x.org\"}]}"),
        "line 1: link 1 url \"www.x.org\" must start with http:// or https://");
    ExpectError(ImportJsonl("{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\",\"channels\":[\"sms\"]}"),
                "line 1: channel \"sms\" is not one of");
    // Every field is written, links and channels too, so an export can be diffed and edited.
    const std::string line = ToJsonLine(Make("a", {"q"}, "A", "en"));
    EXPECT_NE(line.find("\"links\":[]"), std::string::npos) << line;
    EXPECT_NE(line.find("\"channels\":[]"), std::string::npos) << line;
}

TEST(Jsonl, AnUnknownKeyIsAnErrorNamingIt) {
    // A misspelt "enabled" used to publish the article enabled.
    constexpr std::string_view kExpected =
        " (expected id, questions, answer, lang, tags, enabled, version, links, channels)";
    auto r = ImportJsonl(
        "{\"id\":\"a\",\"questions\":[\"q\"],\"answer\":\"A\"}\n\n"
        "{\"id\":\"b\",\"questions\":[\"q\"],\"answer\":\"B\",\"enable\":false}\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "line 3: unknown key \"enable\"" + std::string(kExpected));
    // The keys named are exactly those ToJsonLine writes: 9 of them (its values here hold no ':'),
    // each named.
    const std::string line = ToJsonLine(Make("a", {"q"}, "A", "en"));
    EXPECT_EQ(std::count(line.begin(), line.end(), ':'), 9) << line;
    std::string_view keys = kExpected.substr(11, kExpected.size() - 12);
    while (!keys.empty()) {
        const std::size_t comma = std::min(keys.find(", "), keys.size());
        EXPECT_NE(line.find("\"" + std::string(keys.substr(0, comma)) + "\":"), std::string::npos)
            << keys.substr(0, comma) << " in " << line;
        keys.remove_prefix(std::min(comma + 2, keys.size()));
    }
}

// ---- CSV ----

TEST(Csv, QuotingMergingGeneratedIdsAndDetectedLanguage) {
    const std::string csv =
        "\xEF\xBB\xBFQuestion,Answer,Tags\r\n"
        "how do I reset my password,\"Open settings, then \"\"Reset\"\".\nValid 1 hour.\",account; login\r\n"
        "forgot password,\"Open settings, then \"\"Reset\"\".\nValid 1 hour.\",security\r\n"
        "\r\n"
        "как сбросить пароль,Откройте настройки.,\r\n"
        ",,\r\n";
    auto r = ImportCsv(csv);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    const Article& en = (*r)[0];
    EXPECT_EQ(en.questions, (std::vector<std::string>{"how do I reset my password", "forgot password"}));
    EXPECT_EQ(en.answer, "Open settings, then \"Reset\".\nValid 1 hour.");
    EXPECT_EQ(en.tags, (std::vector<std::string>{"account", "login", "security"}));
    EXPECT_EQ(en.lang, "en");
    EXPECT_TRUE(en.enabled);
    EXPECT_EQ(en.id.str().rfind("csv-", 0), 0u);
    EXPECT_EQ(en.id.str().size(), 16u);
    EXPECT_EQ((*r)[1].lang, "ru");
    // The id depends on the answer only: importing again yields the same ids.
    auto again = ImportCsv(
        "answer,question\n\"Open settings, then \"\"Reset\"\".\nValid 1 hour.\",another phrasing\n");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ((*again)[0].id, en.id);
}

TEST(Csv, ExplicitIdsLangAndEnabled) {
    auto r = ImportCsv(
        "id,question,answer,lang,enabled\n"
        "faq-1,q one,A,en,false\n"
        "faq-1,q two,A,,\n"
        ",q three,A,,\n"  // no id: joins the article with the same answer
        "faq-2,q four,B,ru,yes\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].id.str(), "faq-1");
    EXPECT_EQ((*r)[0].questions.size(), 3u);
    EXPECT_FALSE((*r)[0].enabled);
    EXPECT_EQ((*r)[1].lang, "ru");
}

TEST(Csv, BadInputNamesTheLineAndImportsNothing) {
    ExpectError(ImportCsv(""), "line 1: no header");
    ExpectError(ImportCsv("question,reply\nq,a\n"), "line 1: unknown column \"reply\"");
    ExpectError(ImportCsv("question\nq\n"), "line 1: the header needs the columns question and answer");
    ExpectError(ImportCsv("question,answer,answer\n"), "line 1: column \"answer\" appears twice");
    ExpectError(ImportCsv("question,answer\nq,a\nq2\n"), "line 3: expected 2 fields, found 1");
    ExpectError(ImportCsv("question,answer\nq,\"never closed\n\nmore\n"),
                "line 2: a quoted field is never closed");
    ExpectError(ImportCsv("question,answer\n\"a \"quote\" here\",x\n"),
                "line 2: unexpected text after a closing quote");
    ExpectError(ImportCsv("question,answer\nsay \"hi\",x\n"), "line 2: a quote inside an unquoted field");
    ExpectError(ImportCsv("question,answer\nq,a\n\"multi\nline\",\n"), "line 3: answer is empty");
    ExpectError(ImportCsv("question,answer\n  ,a\n"), "line 2: question is empty");
    ExpectError(ImportCsv("id,question,answer\nx,q,A\nx,q2,B\n"),
                "line 3: article \"x\" has a different answer");
    ExpectError(ImportCsv("id,question,answer,lang\nx,q,A,en\nx,q2,A,ru\n"), "line 3: lang \"ru\" differs");
    ExpectError(ImportCsv("id,question,answer\nbad id,q,A\n"), "line 2: id \"bad id\"");
    ExpectError(ImportCsv("question,answer,enabled\nq,a,maybe\n"), "line 2: enabled must be true or false");
    ExpectError(ImportCsv("question,answer\nq,\"" + std::string(8001, 'a') + "\"\n"),
                "line 2: answer is longer than 8000 bytes");
    std::string many = "id,question,answer\n";
    for (int i = 1; i <= 51; ++i) many += "x,q" + std::to_string(i) + ",A\n";
    ExpectError(ImportCsv(many), "line 52: article \"x\" has more than 50 questions");
    ExpectError(ImportCsv("question,answer\nq1,A\nq\xC3\x28,A\n"), "line 3: question is not valid UTF-8");
    // Trailing empty columns (spreadsheets) are fine, trailing text is not.
    EXPECT_TRUE(ImportCsv("question,answer\nq,a,,\n").ok());
    ExpectError(ImportCsv("question,answer\nq,a,x\n"), "line 2: expected 2 fields, found 3");
}

TEST(Csv, LinksOnePerLineAndChannelsSeparatedBySemicolons) {
    auto r = ImportCsv(
        "id,question,answer,links,channels\n"
        "a,q1,A,\"Reset page: https://x.org/reset\nhttps://x.org/help\n\n  The docs   https://x.org/docs "
        "\",web; telegram\n"
        "a,q2,A,https://x.org/help,email\n"  // repeated link: once; channels united
        "b,q3,B,,\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].links, (std::vector<Link>{{"Reset page", "https://x.org/reset"},
                                                {"", "https://x.org/help"},
                                                {"The docs", "https://x.org/docs"}}));
    EXPECT_EQ((*r)[0].channels, (std::vector<std::string>{"web", "telegram", "email"}));
    EXPECT_TRUE((*r)[1].links.empty());
    EXPECT_TRUE((*r)[1].channels.empty());
    ExpectError(ImportCsv("question,answer,links\nq,A,\"see our docs\"\n"),
                "line 2: link 1 url \"docs\" must start with http:// or https://");
    ExpectError(ImportCsv("question,answer,channels\nq,A,web;sms\n"),
                "line 2: channel \"sms\" is not one of");
}

TEST(Csv, ExportRoundTrips) {
    const std::vector<Article> articles = Tricky();
    const std::string csv = ExportCsv(articles);
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "id,question,answer,lang,tags,enabled,links,channels");
    auto back = ImportCsv(csv);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << csv;
    EXPECT_EQ(*back, WithoutVersions(articles));
}

TEST(Csv, ExportKeepsACarriageReturnBeforeALineBreak) {
    // Answers typed in a browser's text area arrive with CRLF; the import reads CRLF as LF.
    const std::vector<Article> articles{Make("crlf", {"q"}, "one\r\ntwo\r\r\nthree\rfour", "en")};
    auto back = ImportCsv(ExportCsv(articles));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, articles);
    // A file saved with CRLF line ends still reads as LF.
    auto typed = ImportCsv("question,answer\r\nq,\"one\r\ntwo\"\r\n");
    ASSERT_TRUE(typed.ok()) << typed.error().message;
    EXPECT_EQ((*typed)[0].answer, "one\ntwo");
}

// ---- Markdown ----

TEST(Markdown, HeadingsInARowAreVariantsOfOneArticle) {
    const std::string md =
        "# Nimbus FAQ\n"
        "Some introduction that is ignored.\n"
        "\n"
        "## How do I reset my password?\n"
        "## Forgot password\n"
        "\n"
        "Open settings.\n"
        "\n"
        "The link is valid for 1 hour.\n"
        "### Still stuck?\n"
        "Write to us.\n"
        "\n"
        "## Как сбросить пароль? ##\n"
        "<!-- article: {\"id\": \"ru-reset\", \"tags\": [\"account\"]} -->\n"
        "Откройте настройки.\n";
    auto r = ImportMarkdown(md);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    const Article& en = (*r)[0];
    EXPECT_EQ(en.questions, (std::vector<std::string>{"How do I reset my password?", "Forgot password"}));
    EXPECT_EQ(en.answer, "Open settings.\n\nThe link is valid for 1 hour.\n### Still stuck?\nWrite to us.");
    EXPECT_EQ(en.id.str().rfind("md-", 0), 0u);
    EXPECT_EQ(en.lang, "en");
    const Article& ru = (*r)[1];
    EXPECT_EQ(ru.id.str(), "ru-reset");
    EXPECT_EQ(ru.questions, std::vector<std::string>{"Как сбросить пароль?"});
    EXPECT_EQ(ru.lang, "ru");
    EXPECT_EQ(ru.tags, std::vector<std::string>{"account"});
}

TEST(Markdown, TheArticleCommentCarriesLinksAndChannels) {
    auto r = ImportMarkdown(
        "## q1\n"
        "<!-- article: {\"links\": [{\"title\": \"Docs\", \"url\": \"https://x.org\"}, {\"url\": "
        "\"http://y.org\"}], "
        "\"channels\": [\"web\"]} -->\n"
        "Same answer.\n"
        "## q2\n"
        "<!-- article: {\"links\": [{\"url\": \"https://z.org\"}], \"channels\": [\"email\", \"web\"]} -->\n"
        "Same answer.\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u) << "same answer, no id: one article, its links and channels united";
    EXPECT_EQ((*r)[0].links,
              (std::vector<Link>{{"Docs", "https://x.org"}, {"", "http://y.org"}, {"", "https://z.org"}}));
    EXPECT_EQ((*r)[0].channels, (std::vector<std::string>{"web", "email"}));

    ExpectError(ImportMarkdown("## q\n<!-- article: {\"links\": [\"https://x.org\"]} -->\nA\n"),
                "line 2: article comment: \"links\" is not one of");
    ExpectError(
        ImportMarkdown(
            "## q\n<!-- article: {\"links\": [{\"url\": \"https://x.org\", \"alt\": \"\"}]} -->\nA\n"),
        "line 2: article comment: \"links\" is not one of");
    ExpectError(ImportMarkdown("## q\n<!-- article: {\"channels\": [\"fax\"]} -->\nA\n"),
                "line 1: channel \"fax\" is not one of");
    // Without links and channels the comment does not mention them.
    const std::string md = ExportMarkdown({Make("a", {"q"}, "A", "en")});
    EXPECT_EQ(md.find("links"), std::string::npos) << md;
    EXPECT_EQ(md.find("channels"), std::string::npos) << md;
}

TEST(Markdown, SameAnswerMergesAndFencesHideHeadings) {
    auto r = ImportMarkdown(
        "## q1\nSame answer.\n\n## q2\nSame answer.\n\n"
        "## code\n```\n## not a heading\n```\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].questions, (std::vector<std::string>{"q1", "q2"}));
    EXPECT_EQ((*r)[1].answer, "```\n## not a heading\n```");
}

TEST(Markdown, BadInputNamesTheLineAndImportsNothing) {
    ExpectError(ImportMarkdown("# t\n## q1\n## q2\nanswer\n## q3\n\n"), "line 5: question \"q3\" has no answer");
    ExpectError(ImportMarkdown("## \nanswer\n"), "line 1: empty question heading");
    ExpectError(ImportMarkdown("## q\nanswer\n<!-- article: {\"id\":\"x\"} -->\n"),
                "line 3: the article comment must come right after");
    ExpectError(ImportMarkdown("## q\n<!-- article: {\"id\":\"x\"} -->\n<!-- article: {} -->\nA\n"),
                "line 3: a second article comment");
    ExpectError(ImportMarkdown("## q\n<!-- article: {\"id\": 5} -->\nA\n"),
                "line 2: article comment: \"id\"");
    ExpectError(ImportMarkdown("## q\n<!-- article: {oops} -->\nA\n"),
                "line 2: article comment: invalid JSON");
    // The column is the line's (the '}' after the comma), not the JSON's.
    ExpectError(ImportMarkdown("## q\n<!-- article: {\"id\": \"x\",} -->\nA\n"), " at column 26: ");
    ExpectError(ImportMarkdown("## q\n<!-- article: {} \nA\n"),
                "line 2: the article comment must end with -->");
    ExpectError(ImportMarkdown(
                    "## a\n<!-- article: {\"id\":\"x\"} -->\nA\n## b\n<!-- article: {\"id\":\"x\"} -->\nB\n"),
                "line 4: duplicate id \"x\" (first on line 1)");
    ExpectError(ImportMarkdown("## a\n<!-- article: {\"id\":\"not valid\"} -->\nA\n"),
                "line 1: id \"not valid\"");
    ExpectError(ImportMarkdown("## " + std::string(1001, 'q') + "\nA\n"), "line 1: question is longer");
    std::string many;
    for (int i = 1; i <= 51; ++i) many += "## q" + std::to_string(i) + "\n";
    ExpectError(ImportMarkdown(many + "A\n"), "line 51: article");
    // Nothing but a preamble: no articles, no error.
    auto none = ImportMarkdown("# Title\nintro\n");
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
}

TEST(Markdown, AQuestionWithoutAnAnswerIsAnErrorNamingItsLine) {
    // Taken as a phrasing of the next question, it used to get the Canada article's answer.
    ExpectError(ImportMarkdown("## What are your opening hours?\nNine to five.\n\n"
                               "## How do I delete my account?\n\n"
                               "## Do you ship to Canada?\nYes, in 5 days.\n"),
                "line 4: question \"How do I delete my account?\" has no answer");
    // With article comments the error used to be "a second article comment" on the next one's line.
    ExpectError(ImportMarkdown("## What are your opening hours?\n<!-- article: {\"id\": \"hours\"} -->\n"
                               "Nine to five.\n\n"
                               "## How do I delete my account?\n<!-- article: {\"id\": \"delete\"} -->\n\n"
                               "## Do you ship to Canada?\n<!-- article: {\"id\": \"canada\"} -->\n"
                               "Yes, in 5 days.\n"),
                "line 5: question \"How do I delete my account?\" has no answer");
    ExpectError(ImportMarkdown("## a\n<!-- article: {} -->\n## b\nB\n"), "line 1: question \"a\" has no answer");
    // Headings on consecutive lines stay phrasings of one question.
    auto r = ImportMarkdown("## a\n## b\n<!-- article: {\"id\": \"x\"} -->\n\nA\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].questions, (std::vector<std::string>{"a", "b"}));
}

TEST(Markdown, ExportRoundTripsAnyAnswer) {
    // Each answer is followed by a plain article: the first, with the fence it opens never closed,
    // used to swallow the rest of the file (and an import replacing all articles deleted them).
    const std::vector<std::string> nasty{
        "Use three backticks:\n```\nthat is it",
        "~~~\nunclosed\n## reads like a heading\n<!-- article: {\"id\": \"stolen\"} -->",
        "````\n```\nclosed by nothing shorter than four",
        "```\nclosed\n```\n~~~ one\n## x\n```\nanother, inside it\n~~~\n```python\n## y",
        "Indented:\n   ```and unclosed\n## z",
        "\\```\nalready a backslash\n\\\\## two of them\n\\<!-- article: {} -->\n\\~~~",
        "## heading\n<!-- article: {\"id\": \"x\"} -->\n##\n<!-- not the article comment -->",
        "Windows line ends\r\nkept\r\n\r\nas typed\r\r\nand a lone \r too",
    };
    std::vector<Article> articles;
    for (std::size_t i = 0; i < nasty.size(); ++i) {
        articles.push_back(Make("nasty-" + std::to_string(i), {"q" + std::to_string(i)}, nasty[i], "en"));
        articles.push_back(Make("next-" + std::to_string(i), {"after " + std::to_string(i)}, "Fine.", "en"));
    }
    // A trailing '#' is not a closing sequence.
    articles.push_back(Make("hash", {"How do I type #", "##", "C# ##"}, "Shift+3.", "en"));
    for (std::size_t i = 0; i + 1 < articles.size(); ++i) {
        const std::string md = ExportMarkdown({articles[i], articles.back()});
        auto one = ImportMarkdown(md);
        ASSERT_TRUE(one.ok()) << one.error().message << "\n" << md;
        EXPECT_EQ(*one, (std::vector<Article>{articles[i], articles.back()})) << md << ToJsonl(*one);
    }
    const std::string md = ExportMarkdown(articles);
    auto back = ImportMarkdown(md);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << md;
    EXPECT_EQ(*back, articles) << ToJsonl(*back);
    // A fence the answer closes is left as it is, headings inside unescaped.
    EXPECT_NE(md.find("\n```\nclosed\n```\n"), std::string::npos) << md;
    EXPECT_NE(md.find("\n\\```\nthat is it\n"), std::string::npos) << md;
}

TEST(Markdown, ExportRoundTrips) {
    const std::vector<Article> articles = Tricky();
    const std::string md = ExportMarkdown(articles);
    EXPECT_EQ(md.rfind("# Knowledge base\n", 0), 0u);
    EXPECT_NE(md.find("\\## is not a heading here"), std::string::npos) << md;
    EXPECT_NE(md.find("\n## inside a fence\n"), std::string::npos) << md;
    auto back = ImportMarkdown(md);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << md;
    EXPECT_EQ(*back, WithoutVersions(articles));
    // And once more through CSV: all three formats agree.
    auto via_csv = ImportCsv(ExportCsv(*back));
    ASSERT_TRUE(via_csv.ok());
    EXPECT_EQ(*via_csv, *back);
}

TEST(Formats, NamesAndDispatch) {
    EXPECT_EQ(FormatName(Format::kJsonl), "jsonl");
    EXPECT_EQ(FormatName(Format::kCsv), "csv");
    EXPECT_EQ(FormatName(Format::kMarkdown), "markdown");
    ExpectError(Import(Format::kCsv, "question,answer\nq,\n"), "line 2: answer is empty");
    ExpectError(Import(Format::kMarkdown, "## q\n"), "line 1: question \"q\" has no answer");
}

}  // namespace
}  // namespace switchboard::kb
