// switchboard-loadgen: end-to-end latency and throughput through gateway-web, as a customer sees
// it: POST a question, time until the reply arrives on the conversation's WebSocket.
// Bounded (a fixed number of messages, per-reply timeout) and meant for loopback targets only.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "switchboard/core/ids.hpp"
#include "switchboard/http/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("End-to-end load through gateway-web: POST a question, wait for the reply on the WebSocket.",
                 "switchboard-loadgen");
    std::string host = "127.0.0.1";
    int port = 8080;
    int conversations = 40;
    int messages = 5;
    int concurrency = 4;
    int timeout_ms = 5000;
    std::vector<std::string> questions{"how do I reset my password?", "how much does plus cost",
                                       "how do i export my notes", "как сбросить пароль?"};
    app.add_option("--host", host, "gateway-web host (loopback)")->capture_default_str();
    app.add_option("--port", port, "gateway-web port")->capture_default_str();
    app.add_option("--conversations", conversations, "conversations in all")->check(CLI::Range(1, 10000))->capture_default_str();
    app.add_option("--messages", messages, "messages per conversation")->check(CLI::Range(1, 100))->capture_default_str();
    app.add_option("--concurrency", concurrency, "conversations at once")->check(CLI::Range(1, 256))->capture_default_str();
    app.add_option("--timeout-ms", timeout_ms, "give up on a reply after this long")->capture_default_str();
    app.add_option("--question", questions, "questions to ask, in turn (default: four demo questions)");
    CLI11_PARSE(app, argc, argv);

    std::mutex mu;
    std::vector<double> latencies_ms;
    std::atomic<int> next{0}, failures{0}, timeouts{0};
    const std::string run = switchboard::NewUuid().substr(0, 8);
    const auto started = Clock::now();
    auto worker = [&] {
        for (int c = next++; c < conversations; c = next++) {
            const std::string conv = "load-" + run + "-" + std::to_string(c);
            auto ws = switchboard::http::WebSocketClient::Connect(host, static_cast<std::uint16_t>(port),
                                                                  "/v1/conversations/" + conv + "/ws");
            if (!ws.ok()) {
                failures += messages;
                continue;
            }
            for (int m = 0; m < messages; ++m) {
                const std::string& q = questions[static_cast<std::size_t>(c + m) % questions.size()];
                const auto t0 = Clock::now();
                auto posted = switchboard::http::Fetch(host, static_cast<std::uint16_t>(port), "POST", "/v1/messages",
                                                       json{{"conversation_id", conv}, {"text", q}}.dump());
                if (!posted.ok() || posted->status != 202) {
                    ++failures;
                    continue;
                }
                auto reply = (*ws)->Read(std::chrono::milliseconds(timeout_ms));
                if (!reply) {
                    ++timeouts;
                    continue;
                }
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                std::lock_guard lock(mu);
                latencies_ms.push_back(ms);
            }
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < concurrency; ++i) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

    json out{{"messages", conversations * messages},
             {"replied", latencies_ms.size()},
             {"failed", failures.load()},
             {"timed_out", timeouts.load()},
             {"seconds", seconds},
             {"replies_per_second", static_cast<double>(latencies_ms.size()) / seconds},
             {"latency_ms",
              {{"p50", Percentile(latencies_ms, 50)},
               {"p90", Percentile(latencies_ms, 90)},
               {"p99", Percentile(latencies_ms, 99)},
               {"max", latencies_ms.empty() ? 0.0 : *std::max_element(latencies_ms.begin(), latencies_ms.end())}}}};
    std::cout << out.dump(2) << "\n";
    return (failures.load() + timeouts.load()) == 0 ? 0 : 1;
}
