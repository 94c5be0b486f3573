// Retrieval speed on a 5,000-article knowledge base built from CLINC150's utterances
// (15,000 train utterances → 5,000 articles of 3 variants; queries from its test split).
//   build/libs/kb/bench_kb [--benchmark_filter=…]
// SWITCHBOARD_CLINC150 overrides the dataset path.
#include <benchmark/benchmark.h>

#include "clinc_corpus.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "switchboard/kb/index.hpp"

namespace {

using switchboard::kb::Index;

using Corpus = switchboard::kb::bench::Corpus;

const Corpus& Load() { return switchboard::kb::bench::ClincCorpus(SWITCHBOARD_CLINC150_DEFAULT, "bench_kb"); }

// Arg: 0 = retrieval only, 1 = with the classifier (the engine's default). Without encoders: the
// sentence encoders' share is measured by services/assistant's bench_ask.
Index::Options OptionsFor(const benchmark::State& state) {
    Index::Options o;
    if (state.range(0) == 0) o.classifier_weight = 0;
    return o;
}

void BM_Search(benchmark::State& state) {
    const Corpus& c = Load();
    const Index index(c.articles, OptionsFor(state));
    std::vector<double> micros;
    micros.reserve(1 << 16);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        auto m = index.Search(c.queries[i++ % c.queries.size()], 3);
        benchmark::DoNotOptimize(m);
        micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(micros.begin(), micros.end());
    state.counters["articles"] = static_cast<double>(c.articles.size());
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
    state.counters["queries_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Search)->Unit(benchmark::kMicrosecond)->MinTime(3.0)->Arg(0)->Arg(1);

void BM_Build(benchmark::State& state) {
    const Corpus& c = Load();
    for (auto _ : state) {
        Index index(c.articles, OptionsFor(state));
        benchmark::DoNotOptimize(index);
    }
    state.counters["articles"] = static_cast<double>(c.articles.size());
}
BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond)->Iterations(1)->Arg(0)->Arg(1);

}  // namespace
