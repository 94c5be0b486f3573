#include "kb_admin_service.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <string>
#include <vector>

#include "kb_test_support.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kb/formats.hpp"

namespace switchboard::assistant {
namespace {

namespace v1 = kb::v1;
using kbtest::LoopbackProducer;
using kbtest::MakeArticle;

// The service over a catalog that reads back whatever the (fake) producer publishes.
class KbAdminTest : public ::testing::Test {
protected:
    KbAdminTest() {
        producer_.sink = [this](const kafka::Record& r) { ASSERT_TRUE(catalog_.Apply(r).ok()); };
        catalog_.MarkSynced();
    }

    grpc::Status Upsert(const kb::Article& a, v1::UpsertArticleResponse* out = nullptr) {
        v1::UpsertArticleRequest req;
        *req.mutable_article() = ToProto(a);
        v1::UpsertArticleResponse resp;
        auto s = service_.UpsertArticle(nullptr, &req, &resp);
        if (out != nullptr) *out = resp;
        return s;
    }
    grpc::Status Delete(const std::string& id) {
        v1::DeleteArticleRequest req;
        req.set_id(id);
        v1::DeleteArticleResponse resp;
        return service_.DeleteArticle(nullptr, &req, &resp);
    }
    grpc::Status Get(const std::string& id, v1::Article* out = nullptr) {
        v1::GetArticleRequest req;
        req.set_id(id);
        v1::Article resp;
        auto s = service_.GetArticle(nullptr, &req, &resp);
        if (out != nullptr) *out = resp;
        return s;
    }
    grpc::Status Import(v1::ArticleFormat format, const std::string& content, bool replace_all,
                        v1::ImportArticlesResponse* out = nullptr) {
        v1::ImportArticlesRequest req;
        req.set_format(format);
        req.set_content(content);
        req.set_replace_all(replace_all);
        v1::ImportArticlesResponse resp;
        auto s = service_.ImportArticles(nullptr, &req, &resp);
        if (out != nullptr) *out = resp;
        return s;
    }
    std::string Export(v1::ArticleFormat format) {
        v1::ExportArticlesRequest req;
        req.set_format(format);
        v1::ExportArticlesResponse resp;
        auto s = service_.ExportArticles(nullptr, &req, &resp);
        EXPECT_TRUE(s.ok()) << s.error_message();
        return resp.content();
    }

    prometheus::Registry registry_;
    KbProbe probe_{registry_};
    KbCatalog catalog_;
    LoopbackProducer producer_;
    KbPublisher publisher_{producer_, "ns.kb.articles.v1"};
    KbAdminService service_{catalog_, publisher_, probe_, {}};
};

TEST_F(KbAdminTest, UpsertPublishesWithIncrementingVersionsAndGetReadsItBack) {
    kb::Article a = MakeArticle("en-hours", {"when are you open"}, "9 to 5.", "en", {"support"});
    a.version = 42;  // ignored
    v1::UpsertArticleResponse resp;
    ASSERT_TRUE(Upsert(a, &resp).ok());
    EXPECT_TRUE(resp.created());
    EXPECT_EQ(resp.article().version(), 1);
    a.answer = "9 to 6.";
    ASSERT_TRUE(Upsert(a, &resp).ok());
    EXPECT_FALSE(resp.created());
    EXPECT_EQ(resp.article().version(), 2);

    const auto records = producer_.records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].topic, "ns.kb.articles.v1");
    EXPECT_EQ(records[1].key, "en-hours");
    v1::Article wire;
    ASSERT_TRUE(wire.ParseFromString(records[1].value));
    EXPECT_EQ(wire.answer(), "9 to 6.");
    EXPECT_EQ(wire.version(), 2);

    v1::Article got;
    ASSERT_TRUE(Get("en-hours", &got).ok());
    EXPECT_EQ(got.answer(), "9 to 6.");
    EXPECT_EQ(got.tags(0), "support");
    EXPECT_EQ(Get("nope").error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(Get("bad id").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(KbAdminTest, InvalidArticlesAreRefusedWithTheReasonAndNothingIsPublished) {
    auto refused = [&](kb::Article a, std::string_view expected) {
        auto s = Upsert(a);
        EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        EXPECT_NE(s.error_message().find(expected), std::string::npos) << s.error_message();
    };
    refused(MakeArticle("has space", {"q"}, "a"), "id \"has space\"");
    refused(MakeArticle("", {"q"}, "a"), "id \"\"");
    refused(MakeArticle("x", {}, "a"), "no question");
    refused(MakeArticle("x", std::vector<std::string>(51, "q"), "a"), "51 questions");
    refused(MakeArticle("x", {"q", std::string(1001, 'q')}, "a"), "question 2 is longer than 1000 bytes");
    refused(MakeArticle("x", {"q"}, std::string(8001, 'a')), "answer is longer than 8000 bytes");
    refused(MakeArticle("x", {"q"}, ""), "answer is empty");
    refused(MakeArticle("x", {"q\xC3"}, "a"), "not valid UTF-8");
    v1::UpsertArticleRequest no_article;
    v1::UpsertArticleResponse resp;
    EXPECT_EQ(service_.UpsertArticle(nullptr, &no_article, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(producer_.records().empty());
}

TEST_F(KbAdminTest, DeletePublishesATombstone) {
    EXPECT_EQ(Delete("missing").error_code(), grpc::StatusCode::NOT_FOUND);
    ASSERT_TRUE(Upsert(MakeArticle("x", {"q"}, "a")).ok());
    ASSERT_TRUE(Delete("x").ok());
    const auto records = producer_.records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].key, "x");
    EXPECT_TRUE(records[1].value_is_null);
    EXPECT_EQ(Get("x").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(KbAdminTest, ListFiltersAndPages) {
    for (const char* id : {"e", "a", "c", "b", "d"}) {
        ASSERT_TRUE(Upsert(MakeArticle(id, {"q"}, "a", std::string(id) == "c" ? "ru" : "en",
                                       {"t-" + std::string(id)}))
                        .ok());
    }
    std::vector<std::string> ids;
    v1::ListArticlesRequest req;
    req.set_page_size(2);
    int pages = 0;
    do {
        v1::ListArticlesResponse resp;
        ASSERT_TRUE(service_.ListArticles(nullptr, &req, &resp).ok());
        EXPECT_EQ(resp.total_size(), 5);
        for (const auto& a : resp.articles()) ids.push_back(a.id());
        req.set_page_token(resp.next_page_token());
        ++pages;
    } while (!req.page_token().empty() && pages < 10);
    EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
    EXPECT_EQ(pages, 3);

    v1::ListArticlesRequest by_lang;
    by_lang.set_lang("ru");
    v1::ListArticlesResponse ru;
    ASSERT_TRUE(service_.ListArticles(nullptr, &by_lang, &ru).ok());
    ASSERT_EQ(ru.articles_size(), 1);
    EXPECT_EQ(ru.articles(0).id(), "c");
    EXPECT_TRUE(ru.next_page_token().empty());
    v1::ListArticlesRequest by_tag;
    by_tag.set_tag("t-d");
    v1::ListArticlesResponse tagged;
    ASSERT_TRUE(service_.ListArticles(nullptr, &by_tag, &tagged).ok());
    ASSERT_EQ(tagged.articles_size(), 1);
    EXPECT_EQ(tagged.total_size(), 1);

    v1::ListArticlesRequest bad;
    bad.set_page_size(501);
    v1::ListArticlesResponse ignored;
    EXPECT_EQ(service_.ListArticles(nullptr, &bad, &ignored).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    bad.set_page_size(0);
    bad.set_page_token("not a token!");
    EXPECT_EQ(service_.ListArticles(nullptr, &bad, &ignored).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(KbAdminTest, ImportCountsChangesAndIsAllOrNothing) {
    ASSERT_TRUE(Upsert(MakeArticle("old", {"old question"}, "Old answer.")).ok());
    const std::string csv =
        "id,question,answer,lang\n"
        "faq-1,how do I pay,By card.,en\n"
        "faq-1,payment methods,By card.,en\n"
        "faq-2,do you ship abroad,Yes.,en\n";
    v1::ImportArticlesResponse resp;
    ASSERT_TRUE(Import(v1::ARTICLE_FORMAT_CSV, csv, false, &resp).ok());
    EXPECT_EQ(resp.created(), 2);
    EXPECT_EQ(resp.updated(), 0);
    EXPECT_EQ(resp.deleted(), 0);
    const std::size_t published = producer_.records().size();

    // The same file again changes nothing; one edited answer is one update.
    ASSERT_TRUE(Import(v1::ARTICLE_FORMAT_CSV, csv, false, &resp).ok());
    EXPECT_EQ(resp.unchanged(), 2);
    EXPECT_EQ(producer_.records().size(), published);
    std::string edited = csv;
    edited.replace(edited.find("Yes."), 4, "\"Yes, to 30 countries.\"");
    ASSERT_TRUE(Import(v1::ARTICLE_FORMAT_CSV, edited, false, &resp).ok());
    EXPECT_EQ(resp.updated(), 1);
    EXPECT_EQ(resp.unchanged(), 1);
    v1::Article got;
    ASSERT_TRUE(Get("faq-2", &got).ok());
    EXPECT_EQ(got.version(), 2);

    // A bad line: INVALID_ARGUMENT naming it, nothing published.
    const std::size_t before = producer_.records().size();
    auto bad = Import(v1::ARTICLE_FORMAT_CSV, csv + "faq-3,\"unterminated,x,en\n", true);
    EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(bad.error_message(), "line 5: a quoted field is never closed");
    auto bad_md = Import(v1::ARTICLE_FORMAT_MARKDOWN, "## q1\nA\n## q2\n", true);
    EXPECT_EQ(bad_md.error_message(), "line 3: question \"q2\" has no answer");
    EXPECT_EQ(Import(v1::ARTICLE_FORMAT_UNSPECIFIED, csv, false).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(Import(v1::ARTICLE_FORMAT_CSV, "question,answer\n", true).error_message(),
              "the file holds no articles");
    EXPECT_EQ(producer_.records().size(), before);
    EXPECT_TRUE(Get("old").ok());

    // replace_all: the knowledge base becomes exactly the file.
    ASSERT_TRUE(Import(v1::ARTICLE_FORMAT_MARKDOWN, "## Where are you?\nIn Berlin.\n", true, &resp).ok());
    EXPECT_EQ(resp.created(), 1);
    EXPECT_EQ(resp.deleted(), 3);
    EXPECT_EQ(catalog_.size(), 1u);
}

TEST_F(KbAdminTest, ExportRoundTripsThroughImport) {
    kb::Article linked =
        MakeArticle("en-a", {"first, \"quoted\"", "again"}, "Line one.\n\n## not a heading", "en", {"x"});
    linked.links = {{"Docs: all of them", "https://acme.example/docs?a=1,b=2"}, {"", "http://acme.example"}};
    linked.channels = {"web", "email"};
    ASSERT_TRUE(Upsert(linked).ok());
    kb::Article disabled = MakeArticle("ru-b", {"вопрос"}, "Ответ.", "ru");
    disabled.enabled = false;
    disabled.channels = {"telegram"};
    ASSERT_TRUE(Upsert(disabled).ok());
    const auto expected = catalog_.Snapshot();
    for (auto format : {v1::ARTICLE_FORMAT_JSONL, v1::ARTICLE_FORMAT_CSV, v1::ARTICLE_FORMAT_MARKDOWN}) {
        const std::string content = Export(format);
        v1::ImportArticlesResponse resp;
        ASSERT_TRUE(Import(format, content, true, &resp).ok()) << content;
        EXPECT_EQ(resp.unchanged(), 2) << v1::ArticleFormat_Name(format) << "\n" << content;
        EXPECT_EQ(resp.deleted() + resp.created() + resp.updated(), 0);
    }
    EXPECT_EQ(catalog_.Snapshot(), expected);
}

TEST_F(KbAdminTest, LinksAndChannelsTravelOnTheTopicAndBack) {
    kb::Article a = MakeArticle("en-hours", {"when are you open"}, "9 to 5.");
    a.links = {{"Opening hours", "https://acme.example/hours"}, {"", "https://acme.example"}};
    a.channels = {"telegram", "whatsapp"};
    EXPECT_EQ(FromProto(ToProto(a)), a);
    ASSERT_TRUE(Upsert(a).ok());

    // The record kb_sync reads on kb.articles.v1 carries both fields…
    const auto records = producer_.records();
    ASSERT_EQ(records.size(), 1u);
    v1::Article wire;
    ASSERT_TRUE(wire.ParseFromString(records[0].value));
    ASSERT_EQ(wire.links_size(), 2);
    EXPECT_EQ(wire.links(0).title(), "Opening hours");
    EXPECT_EQ(wire.links(0).url(), "https://acme.example/hours");
    EXPECT_EQ(wire.links(1).title(), "");
    ASSERT_EQ(wire.channels_size(), 2);
    EXPECT_EQ(wire.channels(1), "whatsapp");
    // …the catalog (and so the index) gets them back, and so does GetArticle.
    const auto stored = catalog_.Find("en-hours");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->links, a.links);
    EXPECT_EQ(stored->channels, a.channels);
    v1::Article got;
    ASSERT_TRUE(Get("en-hours", &got).ok());
    EXPECT_EQ(got.links(0).url(), "https://acme.example/hours");
    EXPECT_EQ(got.channels(0), "telegram");
}

TEST_F(KbAdminTest, BadLinksAndChannelsAreInvalidArgumentAndNothingIsPublished) {
    auto refused = [&](auto change, std::string_view expected) {
        kb::Article a = MakeArticle("x", {"q"}, "a");
        change(a);
        auto s = Upsert(a);
        EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << expected;
        EXPECT_NE(s.error_message().find(expected), std::string::npos) << s.error_message();
    };
    refused(
        [](kb::Article& a) {
            a.links = {{"Docs", "ftp://acme.example"}};
        },
        "link 1 url \"ftp://acme.example\" must start with http:// or https://");
    refused([](kb::Article& a) { a.links = {{"", "https://acme.example/a b"}}; }, "contains a space");
    refused(
        [](kb::Article& a) {
            a.links = {{"", "https://a.example"}, {"two\nlines", "https://b.example"}};
        },
        "link 2 title contains a line break");
    refused([](kb::Article& a) { a.links.assign(11, {"", "https://a.example"}); }, "11 links, at most 10");
    refused([](kb::Article& a) { a.channels = {"sms"}; }, "channel \"sms\" is not one of web, telegram");
    refused([](kb::Article& a) { a.channels = {"web", "web"}; }, "channel \"web\" is given twice");
    EXPECT_TRUE(producer_.records().empty());
}

// kb names channels without depending on events; the two lists must not drift apart.
TEST(KbChannelNames, AreTheNamesEventsGivesEveryChannel) {
    for (std::string_view name : kb::kChannelNames)
        EXPECT_TRUE(events::ParseChannel(name).has_value()) << name;
    const auto* channels = common::v1::Channel_descriptor();
    for (int i = 0; i < channels->value_count(); ++i) {
        const auto channel = static_cast<common::v1::Channel>(channels->value(i)->number());
        if (channel == common::v1::CHANNEL_UNSPECIFIED) continue;
        const std::string_view name = events::ChannelName(channel);
        EXPECT_NE(std::find(kb::kChannelNames.begin(), kb::kChannelNames.end(), name),
                  kb::kChannelNames.end())
            << channels->value(i)->name() << " (\"" << name << "\") is not in kb::kChannelNames";
    }
}

TEST_F(KbAdminTest, UnavailableUntilSyncedAndWhenKafkaFails) {
    KbCatalog loading;
    KbAdminService service(loading, publisher_, probe_, {});
    v1::GetArticleRequest get;
    get.set_id("x");
    v1::Article article;
    EXPECT_EQ(service.GetArticle(nullptr, &get, &article).error_code(), grpc::StatusCode::UNAVAILABLE);

    producer_.fail = true;
    auto s = Upsert(MakeArticle("x", {"q"}, "a"));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(s.error_message().find("broker down"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::assistant
