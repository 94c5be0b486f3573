// Single-thread encode latency. Needs the model (tools/encoder/fetch-model, SWITCHBOARD_MODEL_DIR);
// the Use* benchmarks need USE multilingual v3 (tools/encoder/fetch-use-model,
// SWITCHBOARD_USE_MODEL_DIR) and are skipped without it.
//   ninja -C build bench_encoder && build/libs/encoder/bench_encoder [--benchmark_filter=Use]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "switchboard/encoder/encoder.hpp"
#include "switchboard/encoder/use_encoder.hpp"

namespace switchboard::encoder {
namespace {

const Encoder& Model() {
    static const Encoder* encoder = [] {
        auto r = Encoder::Load(DefaultModelDir());
        if (!r) {
            std::cerr << r.error().message << "\n";
            std::exit(1);
        }
        return std::move(r).value().release();
    }();
    return *encoder;
}

void Encode(benchmark::State& state, const std::string& text) {
    const Encoder& e = Model();
    state.counters["tokens"] = static_cast<double>(e.tokenizer().Encode(text, e.max_tokens()).size());
    for (auto _ : state) benchmark::DoNotOptimize(e.Encode(text));
    state.counters["per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

const std::string kQuery = "how can I reset the password for my online account";  // 10 words
const std::string kSentence =
    "I was charged twice for my monthly subscription this morning and I would like a refund of the "
    "duplicate payment to the card I used, could you please check what happened with my order";  // 33 words

BENCHMARK_CAPTURE(Encode, query_10_words, kQuery)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Encode, sentence_33_words, kSentence)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Encode, max_128_tokens,
                  [] {
                      std::string s;
                      for (int i = 0; i < 60; ++i) s += "refund policy ";
                      return s;
                  }())
    ->Unit(benchmark::kMicrosecond);

void EncodeBatch(benchmark::State& state) {
    const Encoder& e = Model();
    const std::vector<std::string> texts(static_cast<std::size_t>(state.range(0)), kSentence);
    for (auto _ : state) benchmark::DoNotOptimize(e.EncodeBatch(texts));
    state.counters["texts_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(EncodeBatch)->Arg(32)->Unit(benchmark::kMillisecond);

void Load(benchmark::State& state) {
    for (auto _ : state) {
        auto r = Encoder::Load(DefaultModelDir());
        benchmark::DoNotOptimize(r.ok());
    }
}
BENCHMARK(Load)->Unit(benchmark::kMillisecond)->Iterations(3);

void Tokenize(benchmark::State& state) {
    const Encoder& e = Model();
    for (auto _ : state) benchmark::DoNotOptimize(e.tokenizer().Encode(kSentence, e.max_tokens()));
}
BENCHMARK(Tokenize);

// USE multilingual v3 (UseEncoder). nullptr, with the reason in `error`, when it cannot load.
const UseEncoder* UseModel(std::string* error) {
    static std::string load_error;
    static const UseEncoder* encoder = [] {
        auto r = UseEncoder::Load(DefaultUseModelDir());
        if (!r) load_error = r.error().message;
        return r ? std::move(r).value().release() : nullptr;
    }();
    *error = load_error;
    return encoder;
}

void UseEncode(benchmark::State& state, const std::string& text) {
    std::string error;
    const UseEncoder* e = UseModel(&error);
    if (e == nullptr) {
        state.SkipWithError(error.c_str());
        return;
    }
    state.counters["tokens"] = static_cast<double>(e->Tokenize(text).size());
    for (auto _ : state) benchmark::DoNotOptimize(e->Encode(text));
    state.counters["per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(UseEncode, query_10_words, kQuery)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(UseEncode, query_ru, std::string("Как сбросить пароль от личного кабинета?"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(UseEncode, sentence_33_words, kSentence)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(UseEncode, max_256_tokens,
                  [] {
                      std::string s;
                      for (int i = 0; i < 130; ++i) s += "refund policy ";
                      return s;
                  }())
    ->Unit(benchmark::kMicrosecond);

void UseEncodeBatch(benchmark::State& state) {
    std::string error;
    const UseEncoder* e = UseModel(&error);
    if (e == nullptr) {
        state.SkipWithError(error.c_str());
        return;
    }
    // Support-style questions of 5 to 16 words, like a batch of incoming messages.
    std::vector<std::string> texts;
    for (std::size_t i = 0; texts.size() < static_cast<std::size_t>(state.range(0)); ++i) {
        texts.push_back(i % 2 == 0 ? kQuery.substr(0, 20 + (i * 7) % 31) + " " + std::to_string(i)
                                   : "Как вернуть деньги за заказ номер " + std::to_string(i) + "?");
    }
    for (auto _ : state) benchmark::DoNotOptimize(e->EncodeBatch(texts));
    state.counters["texts_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(UseEncodeBatch)->Arg(64)->Unit(benchmark::kMillisecond);

void UseLoad(benchmark::State& state) {
    for (auto _ : state) {
        auto r = UseEncoder::Load(DefaultUseModelDir());
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        benchmark::DoNotOptimize(r.ok());
    }
}
BENCHMARK(UseLoad)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace switchboard::encoder
