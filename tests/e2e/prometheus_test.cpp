// End to end through a real Prometheus server: the suite (gateway-web, assistant, routing,
// metrics) plays a scripted set of conversations with known outcomes while Debian's `prometheus`
// scrapes it with the repository's recording rules (tests/prometheus/scrape_test); the recorded
// auto-resolution ratio, first-response quantiles and counts must come out as the script implies.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "stack.hpp"
#include "support.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/routing/v1/routing.grpc.pb.h"

extern char** environ;

namespace switchboard::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace rv1 = switchboard::routing::v1;

constexpr auto kReplyTimeout = 15s;

// A child process (scrape_test) whose output goes to a file.
class Child {
public:
    Child(std::vector<std::string> args, const std::string& log) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) pid_ = -1;
    }
    ~Child() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            Wait();
        }
    }
    // The exit status (-1 if it could not run or was killed).
    int Wait() {
        if (pid_ <= 0) return -1;
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    bool started() const { return pid_ > 0; }

private:
    pid_t pid_ = -1;
};

std::string Slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(PrometheusE2E, AutoResolutionAndFirstResponseAsPrometheusRecordsThem) {
    Stack stack;
    const std::uint16_t web_port = FreePort();
    stack.Start("gateway-web", SWITCHBOARD_GATEWAY_WEB_BIN, {}, web_port);
    stack.StartCore();
    stack.WaitReady();

    const auto ready_file = stack.dir() / "prometheus.ready";
    const auto log = stack.dir() / "scrape_test.log";
    auto target = [](const char* job, std::uint16_t port) { return std::string(job) + "=127.0.0.1:" + std::to_string(port); };
    // Known outcomes: 3 conversations the bot answers and the customer confirms, 1 a human takes.
    const std::vector<std::string> expectations{
        R"(sum(switchboard_conversations_resolved_total{resolved_by="bot"})=3)",
        R"(sum(switchboard_conversations_resolved_total{resolved_by="operator"})=1)",
        R"(sum(switchboard_handoffs_total{reason="customer_request"})=1)",
        // The recording rules, over the rate of the counters: 3 of 4 resolved by the bot.
        R"(switchboard:auto_resolution:ratio_5m{channel="web"}=0.75±0.0001)",
        // One first response per conversation; the "connecting you" notice is not one.
        R"(sum(switchboard_first_response_seconds_count{responder="any"})=4)",
        R"(sum(switchboard_first_response_seconds_count{responder="bot"})=3)",
        R"(sum(switchboard_first_response_seconds_count{responder="operator"})=1)",
        // The bot answers on loopback well within a second: its p50 and p99 are under 1 s…
        R"((switchboard:first_response_seconds:p50_5m{channel="web",responder="bot"} < bool 1)=1)",
        R"((switchboard:first_response_seconds:p99_5m{channel="web",responder="bot"} < bool 1)=1)",
        // …and the human's first reply came after the scripted wait (≥ 1 s, the operator is slow).
        R"((switchboard:first_response_seconds:p50_5m{channel="web",responder="operator"} >= bool 1)=1)",
        R"(sum(switchboard_queue_wait_seconds_count)=1)",
        R"(sum(switchboard_operator_response_seconds_count)=1)",
        R"(up{job="metrics"}=1)",
    };
    std::vector<std::string> args{SWITCHBOARD_SOURCE_DIR "/tests/prometheus/scrape_test",
                                  "--targets",
                                  target("metrics", stack.metrics_port) + "," + target("routing", stack.routing_port) +
                                      "," + target("gateway-web", web_port) + "," +
                                      target("assistant", stack.assistant_port),
                                  "--rules", SWITCHBOARD_SOURCE_DIR "/deploy/prometheus/rules/recording.yml",
                                  "--ready-file", ready_file.string(), "--timeout", "120"};
    for (const auto& e : expectations) {
        args.push_back("--expect");
        args.push_back(e);
    }
    Child prometheus(args, log.string());
    ASSERT_TRUE(prometheus.started()) << "cannot run scrape_test";
    ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(ready_file); }, 60s))
        << "Prometheus did not scrape the suite:\n" << Slurp(log);

    auto post = [&](const std::string& conv, const std::string& text) {
        auto r = http::Fetch("127.0.0.1", web_port, "POST", "/v1/messages",
                             json{{"conversation_id", conv}, {"text", text}}.dump(), {{"Content-Type", "application/json"}});
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r->status, 202) << r->body;
    };
    auto entries = [&](const std::string& conv) {
        auto r = http::Fetch("127.0.0.1", web_port, "GET", "/v1/conversations/" + conv + "/messages");
        return r.ok() && r->status == 200 ? json::parse(r->body)["messages"].size() : 0u;
    };
    auto routing_call = [&](auto method, const auto& req, auto* resp) {
        grpc::ClientContext ctx;
        stack.Authorize(ctx, "op-prom");
        return (stack.routing().*method)(&ctx, req, resp);
    };

    // 3 × the bot answers, the customer says thanks: resolved by the bot (confirmed).
    for (int i = 0; i < 3; ++i) {
        const std::string conv = "prom-bot-" + std::to_string(i);
        post(conv, "how do I reset my password?");
        ASSERT_TRUE(WaitUntil([&] { return entries(conv) >= 2; }, kReplyTimeout)) << stack.Logs();
        post(conv, "thanks!");
    }
    // 1 × a human: the customer asks for one, an operator comes online, replies after a while, resolves.
    const std::string human = "prom-human-1";
    post(human, "I want a human");
    ASSERT_TRUE(WaitUntil([&] { return entries(human) >= 2; }, kReplyTimeout)) << stack.Logs();  // the notice
    {
        rv1::SetStatusRequest req;
        req.set_display_name("Prom");
        req.set_status(rv1::OPERATOR_STATUS_ONLINE);
        req.set_capacity(2);
        rv1::SetStatusResponse resp;
        ASSERT_TRUE(routing_call(&rv1::RoutingService::Stub::SetStatus, req, &resp).ok());
    }
    ASSERT_TRUE(WaitUntil(
        [&] {
            rv1::GetConversationRequest req;
            req.set_conversation_id(human);
            rv1::Conversation resp;
            return routing_call(&rv1::RoutingService::Stub::GetConversation, req, &resp).ok() &&
                   resp.state() == rv1::CONVERSATION_STATE_ASSIGNED;
        },
        kReplyTimeout));
    std::this_thread::sleep_for(1200ms);  // the operator reads before answering
    {
        rv1::ReplyRequest req;
        req.set_conversation_id(human);
        req.set_text("Hello, a person here.");
        rv1::ReplyResponse resp;
        ASSERT_TRUE(routing_call(&rv1::RoutingService::Stub::Reply, req, &resp).ok());
    }
    ASSERT_TRUE(WaitUntil([&] { return entries(human) >= 3; }, kReplyTimeout)) << stack.Logs();
    {
        rv1::ResolveRequest req;
        req.set_conversation_id(human);
        rv1::ResolveResponse resp;
        ASSERT_TRUE(routing_call(&rv1::RoutingService::Stub::Resolve, req, &resp).ok());
    }

    EXPECT_EQ(prometheus.Wait(), 0) << Slurp(log) << "\n" << stack.Logs();
    const auto unclean = stack.Stop();
    EXPECT_TRUE(unclean.empty()) << (unclean.empty() ? "" : unclean.front());
}

}  // namespace
}  // namespace switchboard::e2e
