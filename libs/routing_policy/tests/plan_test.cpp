#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "switchboard/routing_policy/policy.hpp"
#include "test_views.hpp"

namespace switchboard::routing_policy {
namespace {

using testing::MakeConversation;
using testing::MakeOperator;

using Plan = std::vector<std::pair<std::size_t, Pick>>;

std::vector<std::string> Ids(const Plan& plan) {
    std::vector<std::string> ids;
    for (const auto& [index, pick] : plan) ids.push_back(pick.operator_id);
    return ids;
}

std::vector<std::size_t> Indices(const Plan& plan) {
    std::vector<std::size_t> out;
    for (const auto& [index, pick] : plan) out.push_back(index);
    return out;
}

// A mixed population: several channels and languages, some per-channel caps, some operators busy
// or away, some conversations with exclusions, transfers or required topics.
struct Scenario {
    std::vector<ConversationView> queue;
    std::vector<OperatorView> operators;
};

Scenario MakeScenario(std::uint32_t seed, std::size_t conversations, std::size_t operators) {
    static const std::vector<std::string> kChannels = {"web", "telegram", "whatsapp", "email"};
    static const std::vector<std::string> kLanguages = {"en", "ru", "de"};
    static const std::vector<std::string> kTopics = {"billing", "shipping", "refunds", "account", "api"};
    std::mt19937 rng(seed);
    auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
    Scenario s;
    for (std::size_t i = 0; i < operators; ++i) {
        OperatorView op;
        op.id = "op" + std::to_string(i);
        op.skills.channels = {pick(kChannels), pick(kChannels)};
        op.skills.languages = {pick(kLanguages)};
        if (rng() % 3 != 0) op.skills.topics = {pick(kTopics), pick(kTopics)};
        op.capacity = static_cast<int>(rng() % 4);
        op.load = static_cast<int>(rng() % 3);
        if (rng() % 4 == 0) {
            op.channel_capacity = {{op.skills.channels[0], 1}};
            op.channel_load = {{op.skills.channels[0], static_cast<int>(rng() % 2)}};
        }
        op.idle_since_ms = static_cast<std::int64_t>(rng() % 100000);
        op.available = rng() % 5 != 0;
        s.operators.push_back(op);
    }
    for (std::size_t i = 0; i < conversations; ++i) {
        ConversationView c;
        c.id = "c" + std::to_string(i);
        c.channel = pick(kChannels);
        c.language = rng() % 6 == 0 ? "" : pick(kLanguages);
        c.topics = {pick(kTopics)};
        c.priority = rng() % 10 == 0 ? 10 : 0;
        c.queued_at_ms = static_cast<std::int64_t>(rng() % 400000);
        if (rng() % 8 == 0) c.excluded = {"op" + std::to_string(rng() % (operators + 1))};
        if (rng() % 20 == 0) c.target_operator = "op" + std::to_string(rng() % (operators + 1));
        if (rng() % 10 == 0) c.required_topics = {pick(kTopics)};
        s.queue.push_back(c);
    }
    return s;
}

// Applies a plan the way PlanAssignments counts it.
std::vector<OperatorView> Apply(const Plan& plan, const std::vector<ConversationView>& queue,
                                std::vector<OperatorView> operators, std::int64_t now_ms) {
    for (const auto& [index, pick] : plan) {
        auto op = std::find_if(operators.begin(), operators.end(),
                               [&](const OperatorView& o) { return o.id == pick.operator_id; });
        ++op->load;
        op->idle_since_ms = now_ms;
        auto load = std::find_if(op->channel_load.begin(), op->channel_load.end(),
                                 [&](const auto& e) { return e.first == queue[index].channel; });
        if (load != op->channel_load.end()) {
            ++load->second;
        } else {
            op->channel_load.emplace_back(queue[index].channel, 1);
        }
    }
    return operators;
}

int ChannelValue(const std::vector<std::pair<std::string, int>>& list, const std::string& channel,
                 int missing) {
    for (const auto& [c, v] : list) {
        if (c == channel) return v;
    }
    return missing;
}

TEST(PlanAssignments, EmptyInputs) {
    const auto policy = MakeDefaultPolicy();
    EXPECT_TRUE(PlanAssignments(*policy, {}, {MakeOperator("a")}, 0).empty());
    EXPECT_TRUE(PlanAssignments(*policy, {MakeConversation("c")}, {}, 0).empty());
    EXPECT_TRUE(PlanAssignments(*policy, {}, {}, 0).empty());
}

TEST(PlanAssignments, NeverExceedsFreeCapacityAndLeavesNothingAssignable) {
    const auto policy = MakeDefaultPolicy();
    const std::int64_t now = 500000;
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        const Scenario s = MakeScenario(seed, 300, 40);
        const Plan plan = PlanAssignments(*policy, s.queue, s.operators, now);
        ASSERT_FALSE(plan.empty()) << "seed " << seed;

        std::set<std::size_t> served;
        std::map<std::string, int> given;
        std::map<std::pair<std::string, std::string>, int> given_on_channel;
        for (const auto& [index, pick] : plan) {
            ASSERT_LT(index, s.queue.size());
            EXPECT_TRUE(served.insert(index).second) << "seed " << seed << ": conversation planned twice";
            ++given[pick.operator_id];
            ++given_on_channel[{pick.operator_id, s.queue[index].channel}];
        }
        for (const auto& op : s.operators) {
            const int free = op.available ? std::max(0, op.capacity - op.load) : 0;
            EXPECT_LE(given[op.id], free) << "seed " << seed << " " << op.id;
            for (const auto& [channel, cap] : op.channel_capacity) {
                const int channel_free = std::max(0, cap - ChannelValue(op.channel_load, channel, 0));
                EXPECT_LE((given_on_channel[{op.id, channel}]), channel_free)
                    << "seed " << seed << " " << op.id;
            }
        }
        // Greedy but complete: whoever was left out cannot be taken by anyone after the batch.
        const auto after = Apply(plan, s.queue, s.operators, now);
        for (std::size_t i = 0; i < s.queue.size(); ++i) {
            if (served.count(i) == 0) {
                EXPECT_FALSE(policy->Choose(s.queue[i], after, now).has_value())
                    << "seed " << seed << " c" << i;
            }
        }
    }
}

TEST(PlanAssignments, DeterministicAndIndependentOfOperatorOrder) {
    const auto policy = MakeDefaultPolicy();
    const Scenario s = MakeScenario(7, 500, 60);
    const Plan first = PlanAssignments(*policy, s.queue, s.operators, 500000);
    const Plan second = PlanAssignments(*policy, s.queue, s.operators, 500000);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(Indices(first), Indices(second));
    EXPECT_EQ(Ids(first), Ids(second));

    std::vector<OperatorView> shuffled = s.operators;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(99));
    const Plan third = PlanAssignments(*policy, s.queue, shuffled, 500000);
    EXPECT_EQ(Indices(first), Indices(third));
    EXPECT_EQ(Ids(first), Ids(third));
}

TEST(PlanAssignments, EqualOperatorsTakeTurns) {
    const auto policy = MakeDefaultPolicy();
    std::vector<OperatorView> ops = {MakeOperator("b"), MakeOperator("a"), MakeOperator("c")};
    for (auto& op : ops) op.capacity = 2;
    std::vector<ConversationView> queue;
    for (int i = 0; i < 8; ++i) {
        queue.push_back(MakeConversation("c" + std::to_string(i)));
        queue.back().queued_at_ms = i;
    }
    const Plan plan = PlanAssignments(*policy, queue, ops, 1000);
    EXPECT_EQ(Ids(plan), (std::vector<std::string>{"a", "b", "c", "a", "b", "c"}));
    EXPECT_EQ(Indices(plan), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
}

TEST(PlanAssignments, WhoWasJustGivenOneGoesToTheBackOfTheIdleLine) {
    const auto policy = MakeDefaultPolicy();
    OperatorView a = MakeOperator("a");
    a.capacity = 2;
    a.idle_since_ms = 0;
    OperatorView b = MakeOperator("b");
    b.capacity = 4;
    b.load = 2;
    b.idle_since_ms = 500;
    std::vector<ConversationView> queue;
    for (int i = 0; i < 4; ++i) {
        queue.push_back(MakeConversation("c" + std::to_string(i)));
        queue.back().queued_at_ms = i;
    }
    // a (0/2) first; then a 1/2 and b 2/4 tie on load, and a is no longer the longest idle.
    EXPECT_EQ(Ids(PlanAssignments(*policy, queue, {a, b}, 1000)),
              (std::vector<std::string>{"a", "b", "a", "b"}));
}

TEST(PlanAssignments, ServesTheQueueInOrder) {
    const auto policy = MakeDefaultPolicy();
    OperatorView op = MakeOperator("op");
    op.capacity = 1;
    ConversationView normal = MakeConversation("normal");
    normal.queued_at_ms = 0;
    ConversationView vip = MakeConversation("vip");
    vip.priority = 10;
    vip.queued_at_ms = 1000;
    const Plan plan = PlanAssignments(*policy, {normal, vip}, {op}, 2000);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].first, 1u) << "the one free slot goes to the VIP";
}

TEST(PlanAssignments, CountsPerChannelCapsWithinTheBatch) {
    const auto policy = MakeDefaultPolicy();
    OperatorView op = MakeOperator("op");
    op.skills.channels = {"web", "whatsapp"};
    op.capacity = 5;
    op.channel_capacity = {{"whatsapp", 2}};
    op.channel_load = {{"WhatsApp", 1}};
    std::vector<ConversationView> queue;
    for (const char* channel : {"whatsapp", "WHATSAPP", "whatsapp", "web"}) {
        queue.push_back(MakeConversation(std::string("c-") + channel));
        queue.back().channel = channel;
        queue.back().queued_at_ms = static_cast<std::int64_t>(queue.size());
    }
    const Plan plan = PlanAssignments(*policy, queue, {op}, 1000);
    EXPECT_EQ(Indices(plan), (std::vector<std::size_t>{0, 3})) << "one whatsapp slot was free, and web";
}

TEST(PlanAssignments, KeepsGoingPastConversationsNobodyCanTake) {
    const auto policy = MakeDefaultPolicy();
    OperatorView op = MakeOperator("op");
    op.capacity = 1;
    ConversationView telegram = MakeConversation("telegram");
    telegram.channel = "telegram";
    telegram.priority = 10;
    const ConversationView web = MakeConversation("web");
    const Plan plan = PlanAssignments(*policy, {telegram, web}, {op}, 0);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].first, 1u);
}

TEST(PlanAssignments, NothingWhenEveryoneIsFull) {
    const auto policy = MakeDefaultPolicy();
    OperatorView op = MakeOperator("op");
    op.load = op.capacity;
    OperatorView away = MakeOperator("away");
    away.available = false;
    EXPECT_TRUE(PlanAssignments(*policy, {MakeConversation("c")}, {op, away}, 0).empty());
}

}  // namespace
}  // namespace switchboard::routing_policy
