// Routing decisions per second on a synthetic but realistic population: 4 channels, 3 languages,
// 8 topics; operators with 1-2 channels, 1-2 languages, 0-3 topics, capacity 2-5, 85% available,
// 10% with a per-channel cap; conversations with 1-2 preferred topics, 10% VIP, 10% with an exclusion.
//   ninja -C build bench_routing_policy && build/libs/routing_policy/bench_routing_policy
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "switchboard/routing_policy/policy.hpp"

namespace switchboard::routing_policy {
namespace {

const std::vector<std::string> kChannels = {"web", "telegram", "whatsapp", "email"};
const std::vector<std::string> kLanguages = {"en", "ru", "de"};
const std::vector<std::string> kTopics = {"billing", "shipping", "refunds", "account",
                                          "api",     "security", "orders",  "returns"};

const std::string& Any(std::mt19937& rng, const std::vector<std::string>& from) {
    return from[rng() % from.size()];
}

std::vector<OperatorView> MakeOperators(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<OperatorView> ops;
    ops.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        OperatorView op;
        op.id = "operator-" + std::to_string(i);
        op.skills.channels = {Any(rng, kChannels)};
        if (rng() % 2 == 0) op.skills.channels.push_back(Any(rng, kChannels));
        op.skills.languages = {Any(rng, kLanguages)};
        if (rng() % 3 == 0) op.skills.languages.push_back(Any(rng, kLanguages));
        for (std::uint32_t t = rng() % 4; t > 0; --t) op.skills.topics.push_back(Any(rng, kTopics));
        op.capacity = 2 + static_cast<int>(rng() % 4);
        op.load = static_cast<int>(rng() % static_cast<std::uint32_t>(op.capacity));
        if (rng() % 10 == 0) {
            op.channel_capacity = {{op.skills.channels[0], 1}};
            op.channel_load = {{op.skills.channels[0], static_cast<int>(rng() % 2)}};
        }
        op.idle_since_ms = static_cast<std::int64_t>(rng() % 3'600'000);
        op.available = rng() % 100 < 85;
        ops.push_back(std::move(op));
    }
    return ops;
}

std::vector<ConversationView> MakeQueue(std::size_t n, std::size_t operators, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<ConversationView> queue;
    queue.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        ConversationView c;
        c.id = "conversation-" + std::to_string(i);
        c.channel = Any(rng, kChannels);
        c.language = rng() % 10 == 0 ? "" : Any(rng, kLanguages);
        c.topics = {Any(rng, kTopics)};
        if (rng() % 2 == 0) c.topics.push_back(Any(rng, kTopics));
        c.priority = rng() % 10 == 0 ? 10 : 0;
        c.queued_at_ms = 3'600'000 - static_cast<std::int64_t>(rng() % 300'000);
        if (rng() % 10 == 0) c.excluded = {"operator-" + std::to_string(rng() % operators)};
        queue.push_back(std::move(c));
    }
    return queue;
}

constexpr std::int64_t kNow = 3'600'000;

void BM_Choose(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto policy = MakeDefaultPolicy();
    const auto ops = MakeOperators(n, 1);
    const auto convs = MakeQueue(256, n, 2);
    std::size_t i = 0;
    std::size_t picked = 0;
    for (auto _ : state) {
        auto pick = policy->Choose(convs[i++ % convs.size()], ops, kNow);
        picked += pick.has_value() ? 1 : 0;
        benchmark::DoNotOptimize(pick);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["operators_scanned/s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(n), benchmark::Counter::kIsRate);
    state.counters["found%"] = 100.0 * static_cast<double>(picked) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Choose)->Arg(50)->Arg(500)->Unit(benchmark::kMicrosecond);

void BM_PlanAssignments(benchmark::State& state) {
    const auto q = static_cast<std::size_t>(state.range(0));
    const auto n = static_cast<std::size_t>(state.range(1));
    const auto policy = MakeDefaultPolicy();
    const auto ops = MakeOperators(n, 3);
    const auto queue = MakeQueue(q, n, 4);
    std::size_t assigned = 0;
    for (auto _ : state) {
        auto plan = PlanAssignments(*policy, queue, ops, kNow);
        assigned = plan.size();
        benchmark::DoNotOptimize(plan);
    }
    // Items = queued conversations considered per batch.
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(q)));
    state.counters["assigned"] = static_cast<double>(assigned);
}
BENCHMARK(BM_PlanAssignments)->Args({1000, 200})->Unit(benchmark::kMillisecond);

// The worst case for the early stop: plenty of capacity, so every conversation scans every operator.
void BM_PlanAssignmentsAmpleCapacity(benchmark::State& state) {
    const auto q = static_cast<std::size_t>(state.range(0));
    const auto n = static_cast<std::size_t>(state.range(1));
    const auto policy = MakeDefaultPolicy();
    auto ops = MakeOperators(n, 3);
    for (auto& op : ops) op.capacity = 50;
    const auto queue = MakeQueue(q, n, 4);
    std::size_t assigned = 0;
    for (auto _ : state) {
        auto plan = PlanAssignments(*policy, queue, ops, kNow);
        assigned = plan.size();
        benchmark::DoNotOptimize(plan);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(q)));
    state.counters["assigned"] = static_cast<double>(assigned);
}
BENCHMARK(BM_PlanAssignmentsAmpleCapacity)->Args({1000, 200})->Unit(benchmark::kMillisecond);

void BM_Order(benchmark::State& state) {
    const auto q = static_cast<std::size_t>(state.range(0));
    const auto policy = MakeDefaultPolicy();
    const auto queue = MakeQueue(q, 200, 5);
    for (auto _ : state) benchmark::DoNotOptimize(policy->Order(queue, kNow));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * static_cast<std::int64_t>(q)));
}
BENCHMARK(BM_Order)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace switchboard::routing_policy
