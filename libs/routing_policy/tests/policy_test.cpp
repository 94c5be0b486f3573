#include "switchboard/routing_policy/policy.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "test_views.hpp"

namespace switchboard::routing_policy {
namespace {

using testing::MakeConversation;
using testing::MakeOperator;

struct EligibilityCase {
    const char* name;
    std::function<void(ConversationView&, OperatorView&)> change;
    bool eligible;
};

// Each row changes one thing on an eligible pair (web/en conversation, web/en operator 0/3).
const std::vector<EligibilityCase>& EligibilityCases() {
    static const std::vector<EligibilityCase> cases = {
        {"baseline", [](ConversationView&, OperatorView&) {}, true},
        // Availability and capacity.
        {"not available", [](ConversationView&, OperatorView& o) { o.available = false; }, false},
        {"load below capacity", [](ConversationView&, OperatorView& o) { o.load = 2; }, true},
        {"load at capacity", [](ConversationView&, OperatorView& o) { o.load = 3; }, false},
        {"load above capacity", [](ConversationView&, OperatorView& o) { o.load = 4; }, false},
        {"capacity 0", [](ConversationView&, OperatorView& o) { o.capacity = 0; }, false},
        // Per-channel caps.
        {"channel cap reached",
         [](ConversationView&, OperatorView& o) {
             o.channel_capacity = {{"web", 1}};
             o.channel_load = {{"web", 1}};
         },
         false},
        {"channel cap not reached",
         [](ConversationView&, OperatorView& o) {
             o.channel_capacity = {{"web", 2}};
             o.channel_load = {{"web", 1}};
         },
         true},
        {"channel cap 0, no load listed",
         [](ConversationView&, OperatorView& o) {
             o.channel_capacity = {{"web", 0}};
         },
         false},
        {"channel cap matched case-insensitively",
         [](ConversationView&, OperatorView& o) {
             o.channel_capacity = {{"WEB", 1}};
             o.channel_load = {{"Web", 1}};
         },
         false},
        {"another channel's cap reached",
         [](ConversationView&, OperatorView& o) {
             o.channel_capacity = {{"whatsapp", 1}};
             o.channel_load = {{"whatsapp", 1}};
         },
         true},
        // Exclusions and transfer to an operator.
        {"excluded",
         [](ConversationView& c, OperatorView&) {
             c.excluded = {"x", "op"};
         },
         false},
        {"others excluded",
         [](ConversationView& c, OperatorView&) {
             c.excluded = {"x", "y"};
         },
         true},
        {"targeted at them", [](ConversationView& c, OperatorView&) { c.target_operator = "op"; }, true},
        {"targeted at someone else", [](ConversationView& c, OperatorView&) { c.target_operator = "other"; },
         false},
        {"targeted but at capacity",
         [](ConversationView& c, OperatorView& o) {
             c.target_operator = "op";
             o.load = 3;
         },
         false},
        {"targeted but excluded",
         [](ConversationView& c, OperatorView&) {
             c.target_operator = "op";
             c.excluded = {"op"};
         },
         false},
        // Channel skill.
        {"channel not in skills", [](ConversationView& c, OperatorView&) { c.channel = "telegram"; }, false},
        {"channel among several",
         [](ConversationView& c, OperatorView& o) {
             c.channel = "email";
             o.skills.channels = {"web", "email"};
         },
         true},
        {"operator takes any channel",
         [](ConversationView& c, OperatorView& o) {
             c.channel = "whatsapp";
             o.skills.channels.clear();
         },
         true},
        {"channel case-insensitive", [](ConversationView& c, OperatorView&) { c.channel = "Web"; }, true},
        {"operator channel case-insensitive",
         [](ConversationView&, OperatorView& o) { o.skills.channels = {"WEB"}; }, true},
        // Language skill.
        {"language mismatch", [](ConversationView& c, OperatorView&) { c.language = "ru"; }, false},
        {"unknown language matches", [](ConversationView& c, OperatorView&) { c.language.clear(); }, true},
        {"operator speaks any language",
         [](ConversationView& c, OperatorView& o) {
             c.language = "de";
             o.skills.languages.clear();
         },
         true},
        {"language upper case", [](ConversationView& c, OperatorView&) { c.language = "EN"; }, true},
        {"language region subtag", [](ConversationView& c, OperatorView&) { c.language = "en-US"; }, true},
        {"operator language region subtag",
         [](ConversationView&, OperatorView& o) {
             o.skills.languages = {"ru", "en_GB"};
         },
         true},
        {"different primary subtag", [](ConversationView& c, OperatorView&) { c.language = "eng"; }, false},
        // Required topics (transfer to a skill queue).
        {"required topic missing",
         [](ConversationView& c, OperatorView& o) {
             c.required_topics = {"billing"};
             o.skills.topics = {"shipping"};
         },
         false},
        {"required topic present",
         [](ConversationView& c, OperatorView& o) {
             c.required_topics = {"billing"};
             o.skills.topics = {"shipping", "Billing"};
         },
         true},
        {"all required topics needed",
         [](ConversationView& c, OperatorView& o) {
             c.required_topics = {"billing", "refunds"};
             o.skills.topics = {"billing"};
         },
         false},
        {"operator takes any topic",
         [](ConversationView& c, OperatorView&) { c.required_topics = {"billing"}; }, true},
        {"preferred topic missing does not exclude",
         [](ConversationView& c, OperatorView& o) {
             c.topics = {"billing"};
             o.skills.topics = {"shipping"};
         },
         true},
    };
    return cases;
}

TEST(Eligible, EveryRule) {
    const auto policy = MakeDefaultPolicy();
    for (const auto& row : EligibilityCases()) {
        ConversationView conv = MakeConversation("c");
        OperatorView op = MakeOperator("op");
        row.change(conv, op);
        EXPECT_EQ(policy->Eligible(conv, op, 0), row.eligible) << row.name;
        // Choose agrees with Eligible for a single operator.
        EXPECT_EQ(policy->Choose(conv, {op}, 0).has_value(), row.eligible) << row.name;
    }
}

TEST(Eligible, LanguageWidensExactlyAtThreshold) {
    PolicyOptions options;
    options.widen_language_after_ms = 120000;
    const auto policy = MakeDefaultPolicy(options);
    ConversationView conv = MakeConversation("c");
    conv.language = "ru";
    conv.queued_at_ms = 1000;
    const OperatorView op = MakeOperator("op");
    EXPECT_FALSE(policy->Eligible(conv, op, 1000));
    EXPECT_FALSE(policy->Eligible(conv, op, 1000 + 119999));
    EXPECT_TRUE(policy->Eligible(conv, op, 1000 + 120000));
    EXPECT_TRUE(policy->Eligible(conv, op, 1000 + 500000));
    // Widening the language does not widen the channel.
    conv.channel = "telegram";
    EXPECT_FALSE(policy->Eligible(conv, op, 1000 + 500000));
}

TEST(Eligible, TopicsWidenExactlyAtThreshold) {
    PolicyOptions options;
    options.widen_topics_after_ms = 60000;
    options.widen_language_after_ms = -1;
    const auto policy = MakeDefaultPolicy(options);
    ConversationView conv = MakeConversation("c");
    conv.required_topics = {"billing"};
    conv.queued_at_ms = 5000;
    OperatorView op = MakeOperator("op");
    op.skills.topics = {"shipping"};
    EXPECT_FALSE(policy->Eligible(conv, op, 5000 + 59999));
    EXPECT_TRUE(policy->Eligible(conv, op, 5000 + 60000));
    // Topics widened, language never does (negative threshold).
    conv.language = "ru";
    EXPECT_FALSE(policy->Eligible(conv, op, 5000 + 10'000'000));
}

TEST(Eligible, NegativeThresholdNeverWidensZeroWidensAtOnce) {
    ConversationView conv = MakeConversation("c");
    conv.language = "ru";
    conv.queued_at_ms = 0;
    const OperatorView op = MakeOperator("op");
    PolicyOptions never;
    never.widen_language_after_ms = -1;
    EXPECT_FALSE(MakeDefaultPolicy(never)->Eligible(conv, op, 1'000'000'000));
    PolicyOptions at_once;
    at_once.widen_language_after_ms = 0;
    EXPECT_TRUE(MakeDefaultPolicy(at_once)->Eligible(conv, op, 0));
}

TEST(Eligible, QueuedInTheFutureHasNotWaited) {
    const auto policy = MakeDefaultPolicy();
    ConversationView conv = MakeConversation("c");
    conv.language = "ru";
    conv.queued_at_ms = 10'000'000;
    EXPECT_FALSE(policy->Eligible(conv, MakeOperator("op"), 0));
    // Clock skew between replicas does not age a conversation backwards below a lower priority.
    ConversationView low = MakeConversation("low");
    low.priority = -1;
    EXPECT_EQ(policy->Order({conv, low}, 0), (std::vector<std::size_t>{0, 1}));
}

struct RankCase {
    const char* name;
    std::vector<OperatorView> operators;
    const char* expected;
};

OperatorView With(OperatorView op, int load, int capacity, std::int64_t idle_since,
                  std::vector<std::string> topics) {
    op.load = load;
    op.capacity = capacity;
    op.idle_since_ms = idle_since;
    op.skills.topics = std::move(topics);
    return op;
}

TEST(Choose, Ranking) {
    const std::vector<RankCase> cases = {
        {"more topic matches beat lower load",
         {With(MakeOperator("a"), 0, 3, 0, {"billing"}),
          With(MakeOperator("b"), 2, 3, 0, {"billing", "refunds"})},
         "b"},
        {"a specialist beats a generalist",
         {With(MakeOperator("a"), 0, 3, 0, {}), With(MakeOperator("b"), 2, 3, 0, {"refunds"})},
         "b"},
        {"topics match case-insensitively",
         {With(MakeOperator("a"), 0, 3, 0, {"shipping"}), With(MakeOperator("b"), 2, 3, 0, {"BILLING"})},
         "b"},
        {"load ratio, not absolute load",
         {With(MakeOperator("a"), 1, 3, 0, {}), With(MakeOperator("b"), 2, 10, 0, {})},
         "b"},
        {"lower load beats longer idle",
         {With(MakeOperator("a"), 1, 3, 0, {}), With(MakeOperator("b"), 0, 3, 9000, {})},
         "b"},
        {"equal ratio: longest idle",
         {With(MakeOperator("a"), 1, 2, 5000, {}), With(MakeOperator("b"), 2, 4, 1000, {}),
          With(MakeOperator("c"), 1, 2, 3000, {})},
         "b"},
        {"all equal: smallest id",
         {With(MakeOperator("c"), 0, 3, 0, {}), With(MakeOperator("a"), 0, 3, 0, {}),
          With(MakeOperator("b"), 0, 3, 0, {})},
         "a"},
        {"ineligible best is skipped",
         {[] {
              auto op = With(MakeOperator("a"), 0, 3, 0, {"billing", "refunds"});
              op.available = false;
              return op;
          }(),
          With(MakeOperator("b"), 2, 3, 0, {})},
         "b"},
    };
    const auto policy = MakeDefaultPolicy();
    ConversationView conv = MakeConversation("c");
    conv.topics = {"billing", "Refunds"};
    for (const auto& row : cases) {
        const auto pick = policy->Choose(conv, row.operators, 10000);
        ASSERT_TRUE(pick.has_value()) << row.name;
        EXPECT_EQ(pick->operator_id, row.expected) << row.name << " (" << pick->why << ")";
        // The answer does not depend on the order of the operators.
        std::vector<OperatorView> reversed(row.operators.rbegin(), row.operators.rend());
        EXPECT_EQ(policy->Choose(conv, reversed, 10000)->operator_id, row.expected)
            << row.name << " reversed";
    }
}

TEST(Choose, RequiredTopicsCountInRanking) {
    const auto policy = MakeDefaultPolicy();
    ConversationView conv = MakeConversation("c");
    conv.required_topics = {"billing"};
    const std::vector<OperatorView> ops = {With(MakeOperator("generalist"), 0, 3, 0, {}),
                                           With(MakeOperator("biller"), 2, 3, 0, {"billing"})};
    EXPECT_EQ(policy->Choose(conv, ops, 0)->operator_id, "biller");
}

TEST(Choose, DuplicateTopicsCountOnce) {
    const auto policy = MakeDefaultPolicy();
    ConversationView conv = MakeConversation("c");
    conv.topics = {"billing", "BILLING", "refunds", "Billing"};
    // "billing" is one wanted topic, not three: a and b match one each, and b is less loaded.
    const std::vector<OperatorView> ops = {With(MakeOperator("a"), 2, 3, 0, {"billing"}),
                                           With(MakeOperator("b"), 0, 3, 0, {"refunds", "billing-extra"})};
    const auto pick = policy->Choose(conv, ops, 0);
    ASSERT_TRUE(pick.has_value());
    EXPECT_EQ(pick->operator_id, "b") << pick->why;
}

TEST(Choose, NoneEligibleOrEmpty) {
    const auto policy = MakeDefaultPolicy();
    const ConversationView conv = MakeConversation("c");
    EXPECT_FALSE(policy->Choose(conv, {}, 0).has_value());
    OperatorView busy = MakeOperator("busy");
    busy.load = 3;
    OperatorView away = MakeOperator("away");
    away.available = false;
    EXPECT_FALSE(policy->Choose(conv, {busy, away}, 0).has_value());
}

TEST(Choose, WhyExplainsThePick) {
    const auto policy = MakeDefaultPolicy();
    ConversationView conv = MakeConversation("c");
    conv.topics = {"billing", "refunds"};
    conv.language = "ru";
    conv.queued_at_ms = 0;
    OperatorView op = With(MakeOperator("op"), 1, 3, 58000, {"billing"});
    OperatorView away = MakeOperator("away");
    away.available = false;
    const auto pick = policy->Choose(conv, {op, away}, 100000);  // waited 100 s: language not widened yet
    EXPECT_FALSE(pick.has_value());
    const auto widened = policy->Choose(conv, {op, away}, 130000);
    ASSERT_TRUE(widened.has_value());
    EXPECT_EQ(widened->why, "topics 1/2, load 1/3, idle 72s, 1 of 2 eligible, language widened");
}

TEST(Order, PriorityThenFifoThenId) {
    PolicyOptions options;
    options.aging_step_ms = 0;  // no aging
    const auto policy = MakeDefaultPolicy(options);
    std::vector<ConversationView> queue;
    auto add = [&](const char* id, int priority, std::int64_t queued_at) {
        ConversationView c = MakeConversation(id);
        c.priority = priority;
        c.queued_at_ms = queued_at;
        queue.push_back(c);
    };
    add("late-normal", 0, 300);
    add("vip", 10, 400);
    add("early-normal", 0, 100);
    add("b-tie", 0, 200);
    add("a-tie", 0, 200);
    add("low", -1, 0);
    EXPECT_EQ(policy->Order(queue, 1'000'000'000), (std::vector<std::size_t>{1, 2, 4, 3, 0, 5}));
}

TEST(Order, AgingOvertakesVipOnlyAfterEnoughSteps) {
    PolicyOptions options;
    options.aging_step_ms = 60000;
    const auto policy = MakeDefaultPolicy(options);
    ConversationView normal = MakeConversation("normal");
    normal.priority = 0;
    normal.queued_at_ms = 0;
    ConversationView vip = MakeConversation("vip");
    vip.priority = 10;
    const std::vector<std::size_t> vip_first = {1, 0};
    const std::vector<std::size_t> normal_first = {0, 1};
    struct Row {
        std::int64_t now;
        std::vector<std::size_t> expected;
    };
    for (const Row& row : {Row{0, vip_first}, Row{9 * 60000, vip_first}, Row{10 * 60000 - 1, vip_first},
                           Row{10 * 60000, normal_first}, Row{30 * 60000, normal_first}}) {
        vip.queued_at_ms = row.now;  // the VIP just arrived
        EXPECT_EQ(policy->Order({normal, vip}, row.now), row.expected) << "now " << row.now;
    }
    // The VIP ages too: once it has waited as long, it stays ahead.
    vip.queued_at_ms = 0;
    EXPECT_EQ(policy->Order({normal, vip}, 30 * 60000), vip_first);
}

TEST(Order, EmptyQueue) { EXPECT_TRUE(MakeDefaultPolicy()->Order({}, 0).empty()); }

}  // namespace
}  // namespace switchboard::routing_policy
