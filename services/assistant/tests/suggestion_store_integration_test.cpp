// Operators' suggestions against the real Redis (SWITCHBOARD_TEST_REDIS), each test in a fresh
// key prefix: the store's compare-and-set reviews, then the admin RPCs over it with a fake
// producer whose records the catalog reads back.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "kb_admin_service.hpp"
#include "kb_test_support.hpp"
#include "suggestion_store.hpp"
#include "switchboard/redis/client.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::assistant {
namespace {

using namespace std::chrono_literals;
using kbtest::LoopbackProducer;
using kbtest::MakeArticle;
namespace v1 = kb::v1;
using State = Suggestion::State;

class SuggestionStoreTest : public ::testing::Test {
protected:
    SuggestionStoreTest()
        : redis_(redis::MakeClient({switchboard::testing::RedisHost(), switchboard::testing::RedisPort()})),
          prefix_("sb:" + switchboard::testing::UniqueNamespace() + ":"),
          store_(*redis_, prefix_) {}

    ~SuggestionStoreTest() override {
        auto keys = redis_->Command({"KEYS", prefix_ + "*"});
        if (keys && keys->is_array()) {
            for (const auto& k : keys->array()) (void)redis_->Command({"DEL", k.string()});
        }
    }

    std::vector<std::string> Ids(State state) {
        auto page = store_.List(state, 0, 100);
        EXPECT_TRUE(page.ok());
        std::vector<std::string> ids;
        if (page) {
            for (const auto& s : page->suggestions) ids.push_back(s.id);
        }
        return ids;
    }

    std::unique_ptr<redis::Client> redis_;
    std::string prefix_;
    SuggestionStore store_;
};

TEST_F(SuggestionStoreTest, ProposeListApproveMovesItToApproved) {
    auto article_id = store_.ProposeArticle(MakeArticle("en-new", {"new question"}, "New answer."), "op-1", "pls");
    ASSERT_TRUE(article_id.ok()) << article_id.error().message;
    EXPECT_TRUE(article_id->starts_with("s-"));
    auto question_id = store_.ProposeQuestion("en-hours", "when do you open", "op-2", "");
    ASSERT_TRUE(question_id.ok());
    EXPECT_EQ(Ids(State::kPending), (std::vector<std::string>{*article_id, *question_id}));
    EXPECT_TRUE(Ids(State::kApproved).empty());

    auto got = store_.Get(*article_id);
    ASSERT_TRUE(got.ok() && got->has_value());
    const Suggestion& s = **got;
    EXPECT_EQ(s.kind, Suggestion::Kind::kArticle);
    ASSERT_TRUE(s.article.has_value());
    EXPECT_EQ(s.article->answer, "New answer.");
    EXPECT_EQ(s.article_id, "en-new");
    EXPECT_EQ(s.proposed_by, "op-1");
    EXPECT_EQ(s.note, "pls");
    EXPECT_GT(s.proposed_at_ms, 0);

    auto claim = store_.BeginReview(*question_id, 30s);
    ASSERT_TRUE(claim.ok());
    ASSERT_EQ(claim->outcome, SuggestionStore::ClaimOutcome::kClaimed);
    EXPECT_EQ(Ids(State::kPending).size(), 2u);  // still pending while in review
    auto done = store_.FinishReview(*question_id, claim->token, State::kApproved, "rev-1", "");
    ASSERT_TRUE(done.ok() && *done);
    EXPECT_EQ(Ids(State::kPending), (std::vector<std::string>{*article_id}));
    EXPECT_EQ(Ids(State::kApproved), (std::vector<std::string>{*question_id}));
    auto approved = store_.Get(*question_id);
    ASSERT_TRUE(approved.ok() && approved->has_value());
    EXPECT_EQ((*approved)->state, State::kApproved);
    EXPECT_EQ((*approved)->reviewed_by, "rev-1");
    EXPECT_EQ((*approved)->question, "when do you open");

    auto page = store_.List(State::kPending, 0, 1);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 1);
    EXPECT_FALSE(page->next_offset.has_value());
}

TEST_F(SuggestionStoreTest, OnlyOneOfTwoReviewersGetsIt) {
    auto id = store_.ProposeQuestion("en-hours", "q", "op-1", "");
    ASSERT_TRUE(id.ok());
    auto first = store_.BeginReview(*id, 30s);
    auto second = store_.BeginReview(*id, 30s);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ(first->outcome, SuggestionStore::ClaimOutcome::kClaimed);
    EXPECT_EQ(second->outcome, SuggestionStore::ClaimOutcome::kInReview);
    ASSERT_TRUE(*store_.FinishReview(*id, first->token, State::kApproved, "rev-1", ""));
    auto again = store_.BeginReview(*id, 30s);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->outcome, SuggestionStore::ClaimOutcome::kAlreadyReviewed);
    // A stale token changes nothing.
    EXPECT_FALSE(*store_.FinishReview(*id, first->token, State::kRejected, "rev-2", ""));
    EXPECT_EQ((*store_.Get(*id))->state, State::kApproved);
    EXPECT_EQ(store_.BeginReview("s-missing", 30s)->outcome, SuggestionStore::ClaimOutcome::kNotFound);
}

TEST_F(SuggestionStoreTest, ExpiredOrAbandonedClaimsCanBeTakenOver) {
    auto id = store_.ProposeQuestion("en-hours", "q", "op-1", "");
    ASSERT_TRUE(id.ok());
    auto expired = store_.BeginReview(*id, 0ms);
    ASSERT_EQ(expired->outcome, SuggestionStore::ClaimOutcome::kClaimed);
    std::this_thread::sleep_for(5ms);
    auto taken = store_.BeginReview(*id, 30s);
    ASSERT_EQ(taken->outcome, SuggestionStore::ClaimOutcome::kClaimed);
    EXPECT_FALSE(*store_.FinishReview(*id, expired->token, State::kApproved, "slow", ""));
    ASSERT_TRUE(store_.AbandonReview(*id, taken->token).ok());
    auto third = store_.BeginReview(*id, 30s);
    EXPECT_EQ(third->outcome, SuggestionStore::ClaimOutcome::kClaimed);
}

TEST_F(SuggestionStoreTest, RejectKeepsTheReason) {
    auto id = store_.ProposeQuestion("en-hours", "q", "op-1", "");
    ASSERT_TRUE(id.ok());
    auto claim = store_.BeginReview(*id, 30s);
    ASSERT_TRUE(*store_.FinishReview(*id, claim->token, State::kRejected, "rev-1", "off topic"));
    EXPECT_TRUE(Ids(State::kPending).empty());
    EXPECT_EQ(Ids(State::kRejected), (std::vector<std::string>{*id}));
    auto s = store_.Get(*id);
    EXPECT_EQ((*s)->state, State::kRejected);
    EXPECT_EQ((*s)->reason, "off topic");
}

// The admin RPCs over the store: approval publishes through the UpsertArticle path.
class SuggestionAdminTest : public SuggestionStoreTest {
protected:
    SuggestionAdminTest() {
        producer_.sink = [this](const kafka::Record& r) { ASSERT_TRUE(catalog_.Apply(r).ok()); };
        catalog_.MarkSynced();
        v1::UpsertArticleRequest req;
        *req.mutable_article() = ToProto(MakeArticle("en-hours", {"when are you open"}, "9 to 5."));
        v1::UpsertArticleResponse resp;
        EXPECT_TRUE(service_.UpsertArticle(nullptr, &req, &resp).ok());
    }

    grpc::Status ProposeQuestion(const std::string& article, const std::string& q, std::string* id = nullptr) {
        v1::ProposeQuestionRequest req;
        req.set_article_id(article);
        req.set_question(q);
        req.set_proposed_by("op-1");
        v1::ProposeQuestionResponse resp;
        auto s = service_.ProposeQuestion(nullptr, &req, &resp);
        if (id != nullptr) *id = resp.suggestion_id();
        return s;
    }
    grpc::Status Review(const std::string& id, v1::ReviewDecision decision, v1::ReviewSuggestionResponse* out = nullptr,
                        const std::string& reason = "") {
        v1::ReviewSuggestionRequest req;
        req.set_suggestion_id(id);
        req.set_decision(decision);
        req.set_reviewer_id("rev-1");
        req.set_reason(reason);
        v1::ReviewSuggestionResponse resp;
        auto s = service_.ReviewSuggestion(nullptr, &req, &resp);
        if (out != nullptr) *out = resp;
        return s;
    }
    v1::ListSuggestionsResponse List(v1::SuggestionStatus status) {
        v1::ListSuggestionsRequest req;
        req.set_status(status);
        v1::ListSuggestionsResponse resp;
        auto s = service_.ListSuggestions(nullptr, &req, &resp);
        EXPECT_TRUE(s.ok()) << s.error_message();
        return resp;
    }

    prometheus::Registry registry_;
    KbProbe probe_{registry_};
    KbCatalog catalog_;
    LoopbackProducer producer_;
    KbPublisher publisher_{producer_, "ns.kb.articles.v1"};
    KbAdminService service_{catalog_, publisher_, probe_, {}, &store_};
};

TEST_F(SuggestionAdminTest, ApprovedQuestionIsPublishedOnceAndOnlyOnce) {
    std::string id;
    ASSERT_TRUE(ProposeQuestion("en-hours", "  opening hours ", &id).ok());
    EXPECT_EQ(producer_.records().size(), 1u);  // nothing published yet
    auto pending = List(v1::SUGGESTION_STATUS_PENDING);
    ASSERT_EQ(pending.suggestions_size(), 1);
    EXPECT_EQ(pending.suggestions(0).kind(), v1::SUGGESTION_KIND_QUESTION);
    EXPECT_EQ(pending.suggestions(0).question(), "opening hours");

    v1::ReviewSuggestionResponse resp;
    auto s = Review(id, v1::REVIEW_DECISION_APPROVE, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.article().version(), 2);
    EXPECT_EQ(resp.suggestion().status(), v1::SUGGESTION_STATUS_APPROVED);
    EXPECT_EQ(catalog_.Find("en-hours")->questions,
              (std::vector<std::string>{"when are you open", "opening hours"}));
    EXPECT_EQ(List(v1::SUGGESTION_STATUS_APPROVED).suggestions_size(), 1);
    EXPECT_EQ(List(v1::SUGGESTION_STATUS_PENDING).suggestions_size(), 0);

    auto twice = Review(id, v1::REVIEW_DECISION_APPROVE);
    EXPECT_EQ(twice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(twice.error_message().find("already reviewed"), std::string::npos) << twice.error_message();
    EXPECT_EQ(producer_.records().size(), 2u);
}

TEST_F(SuggestionAdminTest, ProposalsAreValidatedLikeUpserts) {
    EXPECT_EQ(ProposeQuestion("nope", "q").error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(ProposeQuestion("en-hours", "when are you open").error_code(), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_EQ(ProposeQuestion("en-hours", "  When are you OPEN?").error_code(), grpc::StatusCode::ALREADY_EXISTS)
        << "the same words in another case, punctuation or spacing";
    auto too_long = ProposeQuestion("en-hours", std::string(1001, 'q'));
    EXPECT_EQ(too_long.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(too_long.error_message().find("longer than 1000 bytes"), std::string::npos) << too_long.error_message();

    v1::ProposeArticleRequest req;
    *req.mutable_article() = ToProto(MakeArticle("x", {"q"}, ""));
    req.set_proposed_by("op-1");
    v1::ProposeArticleResponse resp;
    auto empty_answer = service_.ProposeArticle(nullptr, &req, &resp);
    EXPECT_EQ(empty_answer.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(empty_answer.error_message().find("answer is empty"), std::string::npos);
    *req.mutable_article() = ToProto(MakeArticle("x", {"q"}, "a"));
    req.set_proposed_by("");
    EXPECT_EQ(service_.ProposeArticle(nullptr, &req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(List(v1::SUGGESTION_STATUS_PENDING).total_size(), 0);
}

TEST_F(SuggestionAdminTest, ApprovedArticleIsCreatedRejectedOneIsNot) {
    v1::ProposeArticleRequest req;
    *req.mutable_article() = ToProto(MakeArticle("en-new", {"brand new"}, "Yes."));
    req.mutable_article()->clear_enabled();  // as a client that never heard of the field sends it
    req.set_proposed_by("op-1");
    v1::ProposeArticleResponse first;
    ASSERT_TRUE(service_.ProposeArticle(nullptr, &req, &first).ok());
    *req.mutable_article() = ToProto(MakeArticle("en-other", {"other"}, "No."));
    v1::ProposeArticleResponse second;
    ASSERT_TRUE(service_.ProposeArticle(nullptr, &req, &second).ok());

    v1::ReviewSuggestionResponse resp;
    ASSERT_TRUE(Review(first.suggestion_id(), v1::REVIEW_DECISION_APPROVE, &resp).ok());
    EXPECT_EQ(resp.article().version(), 1);
    ASSERT_TRUE(catalog_.Find("en-new").has_value());
    EXPECT_TRUE(catalog_.Find("en-new")->enabled) << "proposed without enabled (proto3: false), approved: it answers";
    ASSERT_TRUE(Review(second.suggestion_id(), v1::REVIEW_DECISION_REJECT, &resp, "duplicate").ok());
    EXPECT_EQ(resp.suggestion().status(), v1::SUGGESTION_STATUS_REJECTED);
    EXPECT_EQ(resp.suggestion().reason(), "duplicate");
    EXPECT_FALSE(catalog_.Find("en-other").has_value());
    EXPECT_EQ(Review("s-unknown", v1::REVIEW_DECISION_REJECT).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(Review(second.suggestion_id(), v1::REVIEW_DECISION_UNSPECIFIED).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SuggestionAdminTest, QuestionForADeletedArticleCannotBeApprovedAndStaysPending) {
    std::string id;
    ASSERT_TRUE(ProposeQuestion("en-hours", "  opening hours ", &id).ok());
    v1::DeleteArticleRequest del;
    del.set_id("en-hours");
    v1::DeleteArticleResponse deleted;
    ASSERT_TRUE(service_.DeleteArticle(nullptr, &del, &deleted).ok());
    EXPECT_EQ(Review(id, v1::REVIEW_DECISION_APPROVE).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(List(v1::SUGGESTION_STATUS_PENDING).suggestions_size(), 1);
    EXPECT_TRUE(Review(id, v1::REVIEW_DECISION_REJECT).ok());
}

}  // namespace
}  // namespace switchboard::assistant
