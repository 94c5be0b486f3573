// What an answer costs end to end in the engine (Responder::Decide: intent, retrieval, sentence
// encoders, classifier), one thread, on a 5,000-article knowledge base built from CLINC150's train
// utterances (3 variants each; queries from its test split). One benchmark per encoder setting;
// the index build (embedding 15,000 variants, training the classifier) is timed once per setting
// and printed as build_s.
//   build/services/assistant/bench_ask [--benchmark_filter=use]
// SWITCHBOARD_CLINC150 overrides the dataset path; the models come from tools/stack install.
#include <benchmark/benchmark.h>

#include "clinc_corpus.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "encoder_embedder.hpp"
#include "responder.hpp"

namespace {

using namespace switchboard;

using Corpus = switchboard::kb::bench::Corpus;

const Corpus& Load() { return switchboard::kb::bench::ClincCorpus(SWITCHBOARD_CLINC150_DEFAULT, "bench_ask"); }

// The index for one encoder setting, built once (Google Benchmark runs a function several times).
struct Built {
    assistant::Encoders encoders;
    std::unique_ptr<kb::LiveIndex> index;
    double build_s = 0;
    std::string error;
};

const Built& BuildFor(const std::string& setting) {
    static std::map<std::string, Built> cache;
    auto [it, fresh] = cache.try_emplace(setting);
    if (!fresh) return it->second;
    Built& b = it->second;
    auto encoders = assistant::LoadEncoders(setting, kb::Index::Semantic{}.weight, /*cache=*/false);
    if (!encoders) {
        b.error = encoders.error().message;
        return b;
    }
    b.encoders = std::move(encoders).value();
    const auto t0 = std::chrono::steady_clock::now();
    b.index = std::make_unique<kb::LiveIndex>(
        std::make_shared<const kb::Index>(Load().articles, kb::Index::Options{}, b.encoders.spaces));
    b.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return b;
}

void BM_Decide(benchmark::State& state, const std::string& setting) {
    const Corpus& c = Load();
    const Built& built = BuildFor(setting);
    if (!built.error.empty()) {
        state.SkipWithError(built.error.c_str());
        return;
    }
    const kb::LiveIndex& index = *built.index;
    const double build_s = built.build_s;
    const assistant::Responder responder(index, {});
    std::vector<double> micros;
    micros.reserve(1 << 16);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto q0 = std::chrono::steady_clock::now();
        auto d = responder.Decide(c.queries[i++ % c.queries.size()], "en");
        benchmark::DoNotOptimize(d);
        micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - q0).count());
    }
    std::sort(micros.begin(), micros.end());
    state.counters["articles"] = static_cast<double>(c.articles.size());
    state.counters["build_s"] = build_s;
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
    state.counters["queries_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

const bool registered = [] {
    for (const char* setting : {"off", "use", "minilm,use", "bge,minilm,use"}) {
        benchmark::RegisterBenchmark(("BM_Decide/" + std::string(setting)).c_str(),
                                     [s = std::string(setting)](benchmark::State& st) { BM_Decide(st, s); })
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(3.0);
    }
    return true;
}();

}  // namespace
