// Integration: the conversation store's scripts against a real Redis.
#include "switchboard/conversation/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "switchboard/testing/environment.hpp"

namespace switchboard::conversation {
namespace {

using namespace std::chrono_literals;

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        redis::ClientConfig cfg;
        cfg.host = testing::RedisHost();
        cfg.port = testing::RedisPort();
        redis_ = redis::MakeClient(cfg);
        ASSERT_TRUE(redis_->Healthy()) << "Redis not reachable; start it with tools/stack start";
        prefix_ = "sb:" + testing::UniqueNamespace() + ":";
        store_ = std::make_unique<Store>(*redis_, prefix_);
    }

    std::unique_ptr<redis::Client> redis_;
    std::string prefix_;
    std::unique_ptr<Store> store_;
    Store::TimePoint t0_ = Store::TimePoint(std::chrono::seconds(1'700'000'000));
};

TEST_F(StoreTest, BotTurnThenHandoffSilencesTheBot) {
    ConversationId c("c1");
    EXPECT_EQ(store_->BeginBotTurn(c, "web", t0_).value(), State::kBot);
    EXPECT_TRUE(store_->MarkHandoff(c, "web", t0_).value());
    EXPECT_EQ(store_->BeginBotTurn(c, "web", t0_).value(), State::kQueued);
    EXPECT_FALSE(store_->MarkHandoff(c, "web", t0_).value()) << "already handed off";
}

TEST_F(StoreTest, QueuedConversationWaitsForCapacityThenGoesToLeastLoaded) {
    ASSERT_TRUE(store_->Enqueue(ConversationId("c1"), "web", t0_).value());
    EXPECT_TRUE(store_->AssignQueued(t0_, 10).value().empty()) << "no operator online";

    ASSERT_TRUE(store_->SetOperatorStatus(OperatorId("op-a"), "Anna", OperatorStatus::kOnline, 2));
    ASSERT_TRUE(store_->SetOperatorStatus(OperatorId("op-b"), "Boris", OperatorStatus::kOnline, 2));
    auto first = store_->AssignQueued(t0_, 10).value();
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].conversation.str(), "c1");
    EXPECT_EQ(first[0].channel, "web");

    ASSERT_TRUE(store_->Enqueue(ConversationId("c2"), "web", t0_ + 1ms).value());
    auto second = store_->AssignQueued(t0_ + 1ms, 10).value();
    ASSERT_EQ(second.size(), 1u);
    EXPECT_NE(second[0].op, first[0].op) << "least loaded operator gets the next one";

    auto info = store_->Get(ConversationId("c2")).value();
    EXPECT_EQ(info.state, State::kAssigned);
    EXPECT_EQ(info.operator_id, second[0].op);
    EXPECT_FALSE(store_->Enqueue(ConversationId("c2"), "web", t0_).value()) << "assigned stays assigned";
}

TEST_F(StoreTest, OfflineOperatorGetsNothingAndResolveFreesCapacity) {
    OperatorId a("op-a");
    ASSERT_TRUE(store_->SetOperatorStatus(a, "Anna", OperatorStatus::kOnline, 1));
    ASSERT_TRUE(store_->Enqueue(ConversationId("c1"), "web", t0_).value());
    ASSERT_TRUE(store_->Enqueue(ConversationId("c2"), "web", t0_ + 1ms).value());
    auto got = store_->AssignQueued(t0_, 10).value();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].conversation.str(), "c1") << "oldest first";

    EXPECT_EQ(store_->ResolveByOperator(ConversationId("c1"), OperatorId("op-x"), t0_).value(),
              ResolveOutcome::kOtherOperator);
    EXPECT_EQ(store_->ResolveByOperator(ConversationId("c2"), a, t0_).value(), ResolveOutcome::kNotAssigned);

    ASSERT_TRUE(store_->SetOperatorStatus(a, "Anna", OperatorStatus::kOffline, 0));
    EXPECT_EQ(store_->ResolveByOperator(ConversationId("c1"), a, t0_).value(), ResolveOutcome::kResolved);
    EXPECT_TRUE(store_->AssignQueued(t0_, 10).value().empty()) << "offline operator gets no work";

    ASSERT_TRUE(store_->SetOperatorStatus(a, "Anna", OperatorStatus::kOnline, 0));
    auto next = store_->AssignQueued(t0_, 10).value();
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].conversation.str(), "c2");
    // A resolved conversation starts over with the bot on the next message.
    EXPECT_EQ(store_->BeginBotTurn(ConversationId("c1"), "web", t0_).value(), State::kBot);
}

TEST_F(StoreTest, IdleBotConversationsResolveOnceWhenDue) {
    ConversationId c("c1");
    ConversationId handed("c2");
    ASSERT_EQ(store_->BeginBotTurn(c, "web", t0_).value(), State::kBot);
    ASSERT_EQ(store_->BeginBotTurn(handed, "web", t0_).value(), State::kBot);
    ASSERT_TRUE(store_->ScheduleBotResolution(c, t0_ + 10s));
    ASSERT_TRUE(store_->ScheduleBotResolution(handed, t0_ + 10s));
    ASSERT_TRUE(store_->MarkHandoff(handed, "web", t0_).value());

    EXPECT_TRUE(store_->ResolveIdleBots(t0_ + 9s, 10).value().empty());
    auto due = store_->ResolveIdleBots(t0_ + 10s, 10).value();
    ASSERT_EQ(due.size(), 1u) << "the handed-off one is not the bot's";
    EXPECT_EQ(due[0].conversation, c);
    EXPECT_TRUE(store_->ResolveIdleBots(t0_ + 11s, 10).value().empty()) << "resolved once";
    EXPECT_EQ(store_->Get(c).value().state, State::kResolved);
}

// Two "replicas" (own Redis connections) drain one queue at once: nobody is assigned twice and
// no operator goes over capacity.
TEST_F(StoreTest, ConcurrentReplicasNeverDoubleAssignOrExceedCapacity) {
    constexpr int kOperators = 5;
    constexpr int kCapacity = 3;
    constexpr int kConversations = 40;
    for (int i = 0; i < kOperators; ++i) {
        ASSERT_TRUE(store_->SetOperatorStatus(OperatorId("op" + std::to_string(i)), "Op",
                                              OperatorStatus::kOnline, kCapacity));
    }
    for (int i = 0; i < kConversations; ++i) {
        ASSERT_TRUE(store_->Enqueue(ConversationId("c" + std::to_string(i)), "web", t0_ + std::chrono::milliseconds(i)).value());
    }
    std::mutex mu;
    std::vector<Assignment> all;
    auto replica = [&] {
        redis::ClientConfig cfg;
        cfg.host = testing::RedisHost();
        cfg.port = testing::RedisPort();
        auto client = redis::MakeClient(cfg);
        Store store(*client, prefix_);
        for (int round = 0; round < 20; ++round) {
            auto got = store.AssignQueued(t0_, 2);
            ASSERT_TRUE(got.ok()) << got.error().message;
            std::lock_guard lock(mu);
            all.insert(all.end(), got->begin(), got->end());
        }
    };
    std::thread r1(replica), r2(replica);
    r1.join();
    r2.join();
    std::set<ConversationId> seen;
    std::map<OperatorId, int> load;
    for (const auto& a : all) {
        EXPECT_TRUE(seen.insert(a.conversation).second) << a.conversation.str() << " assigned twice";
        ++load[a.op];
    }
    EXPECT_EQ(all.size(), static_cast<size_t>(kOperators * kCapacity));
    for (const auto& [op, n] : load) EXPECT_LE(n, kCapacity) << op.str();
}

}  // namespace
}  // namespace switchboard::conversation
