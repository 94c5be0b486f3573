// Integration: the conversation store's scripts against a real Redis.
#include "switchboard/conversation/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "switchboard/testing/environment.hpp"

namespace switchboard::conversation {
namespace {

using namespace std::chrono_literals;

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        redis_ = Connect();
        ASSERT_TRUE(redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        prefix_ = "sb:" + testing::UniqueNamespace() + ":";
        options_.heartbeat_timeout = 30s;
        options_.reopen_window = 1h;
        store_ = std::make_unique<Store>(*redis_, prefix_, options_);
    }

    static std::unique_ptr<redis::Client> Connect() {
        redis::ClientConfig cfg;
        cfg.host = testing::RedisHost();
        cfg.port = testing::RedisPort();
        return redis::MakeClient(cfg);
    }

    void Online(const std::string& op, int capacity, std::optional<bool> auto_accept = true,
                std::vector<std::pair<std::string, int>> caps = {}) {
        OperatorProfile p;
        p.id = OperatorId(op);
        p.name = "Name of " + op;
        p.capacity = capacity;
        p.auto_accept = auto_accept;
        p.channel_capacity = std::move(caps);
        ASSERT_TRUE(store_->SetOperator(p, OperatorStatus::kOnline, t0_).ok());
    }

    void Queue(const std::string& conv, Store::TimePoint at, std::string channel = "web") {
        Store::Handoff h;
        h.channel = std::move(channel);
        h.language = "en";
        h.topics = {"billing"};
        h.reason = "low_confidence";
        ASSERT_EQ(store_->Enqueue(ConversationId(conv), h, at).value(), Store::EnqueueOutcome::kQueued);
    }

    int Load(const std::string& op) { return store_->GetOperator(OperatorId(op)).value()->load; }

    std::unique_ptr<redis::Client> redis_;
    std::string prefix_;
    Store::Options options_;
    std::unique_ptr<Store> store_;
    Store::TimePoint t0_ = Store::TimePoint(std::chrono::seconds(1'700'000'000));
};

TEST_F(StoreTest, BotTurnThenHandoffSilencesTheBot) {
    const ConversationId c("c1");
    EXPECT_EQ(store_->BeginBotTurn(c, "web", t0_).value().state, State::kBot);
    EXPECT_TRUE(store_->MarkHandoff(c, "web", t0_).value());
    EXPECT_EQ(store_->BeginBotTurn(c, "web", t0_).value().state, State::kQueued);
}

TEST_F(StoreTest, AResolvedConversationComingBackWithinTheWindowIsReopened) {
    const ConversationId c("c-reopen");
    ASSERT_EQ(store_->BeginBotTurn(c, "web", t0_).value().state, State::kBot);
    ASSERT_TRUE(store_->ResolveByBot(c, t0_ + 1s).value());
    EXPECT_FALSE(store_->ResolveByBot(c, t0_ + 2s).value());  // once
    auto again = store_->BeginBotTurn(c, "web", t0_ + 30min).value();
    EXPECT_EQ(again.state, State::kBot);
    EXPECT_TRUE(again.reopened);
    EXPECT_EQ(again.previously_resolved_by, "bot");
    EXPECT_TRUE(store_->Get(c).value().reopened);
    // Outside the window it is a new conversation.
    ASSERT_TRUE(store_->ResolveByBot(c, t0_ + 31min).value());
    auto later = store_->BeginBotTurn(c, "web", t0_ + 31min + 2h).value();
    EXPECT_FALSE(later.reopened);
    EXPECT_FALSE(store_->Get(c).value().reopened);
}

TEST_F(StoreTest, SnapshotShowsOnlineOperatorsAndTheQueueWithTheirFields) {
    Online("anna", 2, true, {{"email", 1}});
    OperatorProfile away;
    away.id = OperatorId("bob");
    ASSERT_TRUE(store_->SetOperator(away, OperatorStatus::kAway, t0_).ok());
    Queue("c1", t0_);
    Queue("c2", t0_ + 1s, "telegram");
    auto snap = store_->TakeSnapshot(10).value();
    ASSERT_EQ(snap.operators.size(), 1u);
    const auto& anna = snap.operators[0];
    EXPECT_EQ(anna.id.str(), "anna");
    EXPECT_EQ(anna.name, "Name of anna");
    EXPECT_EQ(anna.capacity, 2);
    EXPECT_EQ(anna.presence_deadline, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          (t0_ + 30s).time_since_epoch()).count());
    ASSERT_EQ(anna.channel_capacity.size(), 1u);
    EXPECT_EQ(anna.channel_capacity[0], (std::pair<std::string, int>{"email", 1}));
    ASSERT_EQ(snap.queue.size(), 2u);
    EXPECT_EQ(snap.queue[0].id.str(), "c1");
    EXPECT_EQ(snap.queue[0].info.language, "en");
    EXPECT_EQ(snap.queue[0].info.topics, std::vector<std::string>{"billing"});
    EXPECT_EQ(snap.queue[1].info.channel, "telegram");
}

TEST_F(StoreTest, AutoAcceptAssignsAtOnceAndCapacityIsEnforced) {
    Online("anna", 1);
    Queue("c1", t0_);
    Queue("c2", t0_ + 1s);
    auto first = store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_ + 2s, 10s).value();
    EXPECT_EQ(first.outcome, Store::OfferOutcome::kAssigned);
    EXPECT_EQ(first.operator_name, "Name of anna");
    EXPECT_EQ(store_->Get(ConversationId("c1")).value().state, State::kAssigned);
    EXPECT_EQ(store_->Offer(ConversationId("c2"), OperatorId("anna"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kUnavailable);  // full
    EXPECT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kGone);  // not queued any more
    EXPECT_EQ(Load("anna"), 1);
    ASSERT_EQ(store_->ResolveByOperator(ConversationId("c1"), OperatorId("anna"), t0_ + 3s).value(),
              Store::HolderCheck::kOk);
    EXPECT_EQ(Load("anna"), 0);
    EXPECT_EQ(store_->Offer(ConversationId("c2"), OperatorId("anna"), t0_ + 4s, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
}

TEST_F(StoreTest, PerChannelCapacityHolds) {
    Online("anna", 3, true, {{"email", 1}});
    Queue("e1", t0_, "email");
    Queue("e2", t0_, "email");
    Queue("w1", t0_, "web");
    EXPECT_EQ(store_->Offer(ConversationId("e1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    EXPECT_EQ(store_->Offer(ConversationId("e2"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kUnavailable);
    EXPECT_EQ(store_->Offer(ConversationId("w1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
}

TEST_F(StoreTest, ManualOfferAcceptedInTime) {
    Online("anna", 2, false);
    Queue("c1", t0_);
    auto offer = store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value();
    ASSERT_EQ(offer.outcome, Store::OfferOutcome::kOffered);
    EXPECT_EQ(store_->Get(ConversationId("c1")).value().state, State::kOffered);
    EXPECT_EQ(Load("anna"), 1);  // an offer holds capacity
    EXPECT_EQ(store_->Accept(ConversationId("c1"), OperatorId("bob"), t0_ + 1s).value(),
              Store::AcceptOutcome::kNotOffered);
    EXPECT_EQ(store_->Accept(ConversationId("c1"), OperatorId("anna"), t0_ + 1s).value(),
              Store::AcceptOutcome::kAssigned);
    EXPECT_EQ(store_->Accept(ConversationId("c1"), OperatorId("anna"), t0_ + 2s).value(),
              Store::AcceptOutcome::kAssigned);  // idempotent
    EXPECT_TRUE(store_->ExpireOffers(t0_ + 1h, 10).value().empty());
    EXPECT_EQ(store_->Get(ConversationId("c1")).value().state, State::kAssigned);
}

TEST_F(StoreTest, DeclineAndExpiryRequeueAndExcludeTheOperator) {
    Online("anna", 2, false);
    Online("bob", 2, false);
    Queue("c1", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kOffered);
    EXPECT_FALSE(store_->Decline(ConversationId("c1"), OperatorId("bob"), t0_).value());
    EXPECT_TRUE(store_->Decline(ConversationId("c1"), OperatorId("anna"), t0_ + 1s).value());
    auto info = store_->Get(ConversationId("c1")).value();
    EXPECT_EQ(info.state, State::kQueued);
    EXPECT_EQ(info.excluded, std::vector<std::string>{"anna"});
    EXPECT_EQ(info.queued_at, std::chrono::duration_cast<std::chrono::milliseconds>(t0_.time_since_epoch()).count());
    EXPECT_EQ(Load("anna"), 0);
    EXPECT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kUnavailable);  // declined once: not offered again
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("bob"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kOffered);
    EXPECT_TRUE(store_->ExpireOffers(t0_ + 11s, 10).value().empty());  // not yet due
    auto expired = store_->ExpireOffers(t0_ + 12s, 10).value();
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].conversation.str(), "c1");
    EXPECT_EQ(expired[0].op.str(), "bob");
    EXPECT_EQ(expired[0].channel, "web");
    EXPECT_EQ(store_->Accept(ConversationId("c1"), OperatorId("bob"), t0_ + 13s).value(),
              Store::AcceptOutcome::kNotOffered);
    EXPECT_EQ(store_->Get(ConversationId("c1")).value().excluded, (std::vector<std::string>{"anna", "bob"}));
    EXPECT_EQ(Load("bob"), 0);
    // Exclusions lapse: after the window anna may be offered it again (she may be the only one).
    const auto later = t0_ + 1s + options_.exclusion_window + 1ms;
    ASSERT_TRUE(store_->Heartbeat(OperatorId("anna"), later).value().has_value());
    EXPECT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), later, 10s).value().outcome,
              Store::OfferOutcome::kOffered);
}

TEST_F(StoreTest, ARedeliveredHandoffIsAppliedOnce) {
    Online("anna", 2);
    Store::Handoff h;
    h.channel = "web";
    h.event_id = "e-handoff-1";
    h.transcript = {"line 1"};
    ASSERT_EQ(store_->Enqueue(ConversationId("c1"), h, t0_).value(), Store::EnqueueOutcome::kQueued);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    ASSERT_EQ(store_->ResolveByOperator(ConversationId("c1"), OperatorId("anna"), t0_ + 1s).value(),
              Store::HolderCheck::kOk);
    // Kafka delivers the same HandoffRequested again (a consumer restarted before committing).
    EXPECT_EQ(store_->Enqueue(ConversationId("c1"), h, t0_ + 2s).value(), Store::EnqueueOutcome::kDuplicate);
    EXPECT_EQ(store_->Get(ConversationId("c1")).value().state, State::kResolved);
    EXPECT_EQ(store_->Transcript(ConversationId("c1")).value(), std::vector<std::string>{"line 1"});
    // A new handoff (another event) is applied.
    h.event_id = "e-handoff-2";
    EXPECT_EQ(store_->Enqueue(ConversationId("c1"), h, t0_ + 3s).value(), Store::EnqueueOutcome::kQueued);
}

TEST_F(StoreTest, TheQueueIsInServingOrderAndPages) {
    Store::Handoff normal, vip;
    normal.channel = vip.channel = "web";
    vip.priority = 10;
    normal.queue_score = 1000;  // queued at 1000, priority 0
    vip.queue_score = 5000 - 10 * 60000;  // queued later at 5000 but 10 aging steps ahead
    ASSERT_EQ(store_->Enqueue(ConversationId("normal"), normal, t0_).value(), Store::EnqueueOutcome::kQueued);
    ASSERT_EQ(store_->Enqueue(ConversationId("vip"), vip, t0_).value(), Store::EnqueueOutcome::kQueued);
    auto first = store_->TakeSnapshot(1).value();
    ASSERT_EQ(first.queue.size(), 1u);
    EXPECT_EQ(first.queue[0].id.str(), "vip");
    auto second = store_->TakeSnapshot(1, 1).value();
    ASSERT_EQ(second.queue.size(), 1u);
    EXPECT_EQ(second.queue[0].id.str(), "normal");
    EXPECT_TRUE(store_->TakeSnapshot(1, 2).value().queue.empty());
    Online("anna", 1);
    auto only = store_->TakeSnapshotFor({ConversationId("normal"), ConversationId("nope")}).value();
    ASSERT_EQ(only.queue.size(), 1u);
    EXPECT_EQ(only.queue[0].id.str(), "normal");
    EXPECT_EQ(only.operators.size(), 1u);
    auto lean = store_->TakeSnapshotFor({ConversationId("normal")}, false).value();
    EXPECT_EQ(lean.queue.size(), 1u);
    EXPECT_TRUE(lean.operators.empty());
}

TEST_F(StoreTest, OfferManyAppliesEachOfferInOrder) {
    Online("anna", 1);
    Online("bob", 1, false);
    Queue("c1", t0_);
    Queue("c2", t0_);
    Queue("c3", t0_);
    auto r = store_->OfferMany({{ConversationId("c1"), OperatorId("anna")},
                                {ConversationId("c2"), OperatorId("anna")},  // anna is full by now
                                {ConversationId("c3"), OperatorId("bob")},
                                {ConversationId("c1"), OperatorId("bob")}},  // c1 is taken by now
                               t0_, 10s)
                 .value();
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].outcome, Store::OfferOutcome::kAssigned);
    EXPECT_EQ(r[1].outcome, Store::OfferOutcome::kUnavailable);
    EXPECT_EQ(r[2].outcome, Store::OfferOutcome::kOffered);
    EXPECT_EQ(r[2].channel, "web");
    EXPECT_EQ(r[3].outcome, Store::OfferOutcome::kGone);
    EXPECT_EQ(Load("anna"), 1);
    EXPECT_EQ(Load("bob"), 1);
}

TEST_F(StoreTest, ATransferToAnOperatorWhoOnceDeclinedIsServed) {
    Online("anna", 2);
    Online("bob", 2, false);
    Queue("c1", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("bob"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kOffered);
    ASSERT_TRUE(store_->Decline(ConversationId("c1"), OperatorId("bob"), t0_).value());
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    Store::TransferTarget to_bob;
    to_bob.to_operator = OperatorId("bob");
    ASSERT_EQ(store_->Transfer(ConversationId("c1"), OperatorId("anna"), to_bob, t0_ + 1s).value(),
              Store::HolderCheck::kOk);
    EXPECT_EQ(store_->Offer(ConversationId("c1"), OperatorId("bob"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kOffered);
}

TEST_F(StoreTest, AnAcceptAfterTheDeadlineIsRefused) {
    Online("anna", 1, false);
    Queue("c1", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kOffered);
    EXPECT_EQ(store_->Accept(ConversationId("c1"), OperatorId("anna"), t0_ + 11s).value(),
              Store::AcceptOutcome::kExpired);
}

TEST_F(StoreTest, SilentOperatorsGoOfflineAndTheirOffersMoveOn) {
    Online("anna", 2, false);
    Queue("c1", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 60s).value().outcome,
              Store::OfferOutcome::kOffered);
    ASSERT_TRUE(store_->Heartbeat(OperatorId("anna"), t0_ + 20s).value().has_value());  // until t0+50s
    EXPECT_TRUE(store_->ExpirePresence(t0_ + 40s, 10).value().empty());
    auto lost = store_->ExpirePresence(t0_ + 51s, 10).value();
    ASSERT_EQ(lost.size(), 1u);
    EXPECT_EQ(lost[0].op.str(), "anna");
    ASSERT_EQ(lost[0].offers.size(), 1u);
    EXPECT_EQ(lost[0].offers[0].why, OfferEnd::kOperatorOffline);
    EXPECT_EQ(store_->Get(ConversationId("c1")).value().state, State::kQueued);
    EXPECT_TRUE(store_->TakeSnapshot(10).value().operators.empty());
    EXPECT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_ + 52s, 10s).value().outcome,
              Store::OfferOutcome::kUnavailable);
    // Heartbeats resume: back online (but still excluded from c1, whose offer lapsed).
    ASSERT_TRUE(store_->Heartbeat(OperatorId("anna"), t0_ + 60s).value().has_value());
    EXPECT_EQ(store_->TakeSnapshot(10).value().operators.size(), 1u);
}

TEST_F(StoreTest, HeartbeatDoesNotOverrideAChosenStatus) {
    OperatorProfile p;
    p.id = OperatorId("anna");
    ASSERT_TRUE(store_->SetOperator(p, OperatorStatus::kAway, t0_).ok());
    EXPECT_FALSE(store_->Heartbeat(OperatorId("anna"), t0_).value().has_value());
    EXPECT_FALSE(store_->Heartbeat(OperatorId("nobody"), t0_).value().has_value());
    EXPECT_TRUE(store_->TakeSnapshot(10).value().operators.empty());
}

TEST_F(StoreTest, GoingAwayEndsPendingOffersButKeepsAssignedWork) {
    Online("anna", 3, false);
    Queue("c1", t0_);
    Queue("c2", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 60s).value().outcome,
              Store::OfferOutcome::kOffered);
    ASSERT_EQ(store_->Offer(ConversationId("c2"), OperatorId("anna"), t0_, 60s).value().outcome,
              Store::OfferOutcome::kOffered);
    ASSERT_EQ(store_->Accept(ConversationId("c2"), OperatorId("anna"), t0_).value(), Store::AcceptOutcome::kAssigned);
    OperatorProfile p;
    p.id = OperatorId("anna");
    auto inbox = store_->OperatorInbox(OperatorId("anna")).value();
    EXPECT_EQ(inbox.offered, std::vector<ConversationId>{ConversationId("c1")});
    EXPECT_EQ(inbox.held, std::vector<ConversationId>{ConversationId("c2")});
    auto ended = store_->SetOperator(p, OperatorStatus::kAway, t0_ + 1s).value();
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].conversation.str(), "c1");
    EXPECT_EQ(store_->Get(ConversationId("c2")).value().state, State::kAssigned);
    EXPECT_EQ(Load("anna"), 1);
    EXPECT_TRUE(store_->OperatorInbox(OperatorId("anna")).value().offered.empty());
    ASSERT_EQ(store_->ResolveByOperator(ConversationId("c2"), OperatorId("anna"), t0_ + 2s).value(),
              Store::HolderCheck::kOk);
    EXPECT_TRUE(store_->OperatorInbox(OperatorId("anna")).value().held.empty());
}

TEST_F(StoreTest, TransferToAnotherOperatorOrASkillQueue) {
    Online("anna", 2);
    Online("bob", 2);
    Queue("c1", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    Store::TransferTarget to_bob;
    to_bob.to_operator = OperatorId("bob");
    EXPECT_EQ(store_->Transfer(ConversationId("c1"), OperatorId("bob"), to_bob, t0_ + 1s).value(),
              Store::HolderCheck::kOtherOperator);
    ASSERT_EQ(store_->Transfer(ConversationId("c1"), OperatorId("anna"), to_bob, t0_ + 1s).value(),
              Store::HolderCheck::kOk);
    EXPECT_EQ(Load("anna"), 0);
    auto info = store_->Get(ConversationId("c1")).value();
    EXPECT_EQ(info.state, State::kQueued);
    EXPECT_EQ(info.target_operator, "bob");
    Online("carol", 2);
    EXPECT_EQ(store_->Offer(ConversationId("c1"), OperatorId("carol"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kUnavailable);  // not the target
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("bob"), t0_ + 2s, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    Store::TransferTarget to_billing;
    to_billing.to_topics = {"billing", "refunds"};
    ASSERT_EQ(store_->Transfer(ConversationId("c1"), OperatorId("bob"), to_billing, t0_ + 3s).value(),
              Store::HolderCheck::kOk);
    info = store_->Get(ConversationId("c1")).value();
    EXPECT_EQ(info.required_topics, (std::vector<std::string>{"billing", "refunds"}));
    EXPECT_EQ(info.target_operator, "");
    EXPECT_EQ(info.excluded, (std::vector<std::string>{"anna", "bob"}));
}

TEST_F(StoreTest, ResolveChecksTheHolder) {
    Online("anna", 1);
    Queue("c1", t0_);
    EXPECT_EQ(store_->ResolveByOperator(ConversationId("c1"), OperatorId("anna"), t0_).value(),
              Store::HolderCheck::kNotAssigned);
    ASSERT_EQ(store_->Offer(ConversationId("c1"), OperatorId("anna"), t0_, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    EXPECT_EQ(store_->CheckHolder(ConversationId("c1"), OperatorId("bob")).value(), Store::HolderCheck::kOtherOperator);
    EXPECT_EQ(store_->CheckHolder(ConversationId("c1"), OperatorId("anna")).value(), Store::HolderCheck::kOk);
    EXPECT_EQ(store_->ResolveByOperator(ConversationId("c1"), OperatorId("bob"), t0_).value(),
              Store::HolderCheck::kOtherOperator);
    EXPECT_EQ(store_->ResolveByOperator(ConversationId("c1"), OperatorId("anna"), t0_).value(),
              Store::HolderCheck::kOk);
    auto info = store_->Get(ConversationId("c1")).value();
    EXPECT_EQ(info.state, State::kResolved);
    EXPECT_EQ(info.resolved_by, "operator");
}

TEST_F(StoreTest, IdleBotConversationsResolveOnceWhenDue) {
    const ConversationId c("idle");
    ASSERT_EQ(store_->BeginBotTurn(c, "web", t0_).value().state, State::kBot);
    ASSERT_TRUE(store_->ScheduleBotResolution(c, t0_ + 10s).ok());
    EXPECT_TRUE(store_->ResolveIdleBots(t0_ + 5s, 10).value().empty());
    auto due = store_->ResolveIdleBots(t0_ + 10s, 10).value();
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].conversation, c);
    EXPECT_TRUE(store_->ResolveIdleBots(t0_ + 20s, 10).value().empty());
    EXPECT_EQ(store_->Get(c).value().state, State::kResolved);
}

TEST_F(StoreTest, LongQueuedConversationsAreAbandonedButOfferedOnesAreNot) {
    Online("anna", 1, false);
    Queue("c1", t0_);
    Queue("c2", t0_);
    ASSERT_EQ(store_->Offer(ConversationId("c2"), OperatorId("anna"), t0_, 10min).value().outcome,
              Store::OfferOutcome::kOffered);
    EXPECT_TRUE(store_->ResolveAbandoned(t0_ + 29min, 30min, 10).value().empty());
    auto gone = store_->ResolveAbandoned(t0_ + 30min, 30min, 10).value();
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0].conversation.str(), "c1");
    auto info = store_->Get(ConversationId("c1")).value();
    EXPECT_EQ(info.state, State::kResolved);
    EXPECT_EQ(info.resolved_by, "abandoned");
    EXPECT_EQ(store_->Get(ConversationId("c2")).value().state, State::kOffered);
}

TEST_F(StoreTest, CensusCountsOperatorsAndTheQueue) {
    EXPECT_EQ(store_->TakeCensus().value().oldest_queued_at, -1);
    EXPECT_EQ(store_->QueueLength().value(), 0);
    Online("anna", 2);
    Online("bob", 3);
    OperatorProfile carol;
    carol.id = OperatorId("carol");
    ASSERT_TRUE(store_->SetOperator(carol, OperatorStatus::kAway, t0_).ok());
    Queue("c1", t0_ + 5s);
    Queue("c2", t0_ + 7s);
    ASSERT_EQ(store_->Offer(ConversationId("c2"), OperatorId("anna"), t0_ + 8s, 10s).value().outcome,
              Store::OfferOutcome::kAssigned);
    auto c = store_->TakeCensus().value();
    EXPECT_EQ(c.online, 2);
    EXPECT_EQ(c.away, 1);
    EXPECT_EQ(c.offline, 0);
    EXPECT_EQ(c.online_capacity, 5);
    EXPECT_EQ(c.online_load, 1);
    EXPECT_EQ(c.queue_length, 1);
    EXPECT_EQ(store_->QueueLength().value(), 1) << "c2 left the queue when it was assigned";
    EXPECT_EQ(c.oldest_queued_at, std::chrono::duration_cast<std::chrono::milliseconds>((t0_ + 5s).time_since_epoch()).count());
}

TEST_F(StoreTest, FirstTimeIsTrueOnce) {
    EXPECT_TRUE(store_->FirstTime("e-1").value());
    EXPECT_FALSE(store_->FirstTime("e-1").value());
    EXPECT_TRUE(store_->FirstTime("e-2").value());
}

TEST_F(StoreTest, TranscriptKeepsTheLastLines) {
    Store::Options small = options_;
    small.transcript_lines = 3;
    Store store(*redis_, prefix_, small);
    ASSERT_TRUE(store.AppendTranscript(ConversationId("c1"), {"a", "b"}).ok());
    ASSERT_TRUE(store.AppendTranscript(ConversationId("c1"), {"c", "d"}).ok());
    EXPECT_EQ(store.Transcript(ConversationId("c1")).value(), (std::vector<std::string>{"b", "c", "d"}));
}

// Two "replicas" (own Redis connections) offer the same queue to the same operators at once:
// nobody gets a conversation twice and no operator goes over capacity.
TEST_F(StoreTest, ConcurrentReplicasNeverDoubleAssignOrExceedCapacity) {
    constexpr int kOperators = 5;
    constexpr int kCapacity = 3;
    constexpr int kConversations = 40;
    for (int i = 0; i < kOperators; ++i) Online("op" + std::to_string(i), kCapacity);
    for (int i = 0; i < kConversations; ++i) Queue("c" + std::to_string(i), t0_ + std::chrono::milliseconds(i));
    std::mutex mu;
    std::vector<std::pair<std::string, std::string>> all;  // conversation, operator
    auto replica = [&] {
        auto client = Connect();
        Store store(*client, prefix_, options_);
        for (int c = 0; c < kConversations; ++c) {
            for (int o = 0; o < kOperators; ++o) {
                const std::string conv = "c" + std::to_string(c), op = "op" + std::to_string(o);
                auto r = store.Offer(ConversationId(conv), OperatorId(op), t0_, 10s);
                ASSERT_TRUE(r.ok()) << r.error().message;
                if (r->outcome == Store::OfferOutcome::kAssigned) {
                    std::lock_guard lock(mu);
                    all.emplace_back(conv, op);
                    break;
                }
            }
        }
    };
    std::thread r1(replica), r2(replica);
    r1.join();
    r2.join();
    std::set<std::string> seen;
    std::map<std::string, int> load;
    for (const auto& [conv, op] : all) {
        EXPECT_TRUE(seen.insert(conv).second) << conv << " assigned twice";
        ++load[op];
    }
    EXPECT_EQ(all.size(), static_cast<size_t>(kOperators * kCapacity));
    for (const auto& [op, n] : load) {
        EXPECT_LE(n, kCapacity) << op;
        EXPECT_EQ(Load(op), n) << op;
    }
}

}  // namespace
}  // namespace switchboard::conversation
