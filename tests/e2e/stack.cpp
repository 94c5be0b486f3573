#include "stack.hpp"

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <stdexcept>

#include "operator_token.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/http/client.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/testing/environment.hpp"

namespace switchboard::e2e {

using namespace std::chrono_literals;

namespace {
// The routing service's token secret in every e2e stack (a test secret, not a real one).
constexpr const char* kTokenSecret = "e2e-routing-token-secret-0123456789";
}  // namespace

Stack::Stack() : naming_(testing::UniqueNamespace(/*delete_topics_after_tests=*/false)) {
    dir_ = std::filesystem::temp_directory_path() / ("switchboard-e2e-" + naming_.ns());
    std::filesystem::create_directories(dir_);
    if (Status s = kafka::EnsureTopics(testing::KafkaBrokers(), naming_.AllTopics(6)); !s.ok()) {
        throw std::runtime_error("cannot create topics: " + s.error().message);
    }
}

Stack::~Stack() {
    Stop();
    // The broker is shared and long-lived: drop this stack's topics (best effort).
    std::vector<std::string> topics;
    for (const auto& t : naming_.AllTopics(1)) topics.push_back(t.name);
    if (Status s = kafka::DeleteTopics(testing::KafkaBrokers(), topics); !s.ok()) {
        std::fprintf(stderr, "e2e: could not delete the stack's topics: %s\n", s.error().message.c_str());
    }
}

void Stack::Start(const std::string& name, const std::string& binary, std::map<std::string, std::string> env,
                  std::uint16_t http_port) {
    const std::map<std::string, std::string> common{
        {"SWITCHBOARD_NAMESPACE", naming_.ns()},
        {"SWITCHBOARD_KAFKA_BROKERS", testing::KafkaBrokers()},
        {"SWITCHBOARD_REDIS_HOST", testing::RedisHost()},
        {"SWITCHBOARD_REDIS_PORT", std::to_string(testing::RedisPort())},
        {"SWITCHBOARD_LOG_LEVEL", "debug"},
    };
    env.insert(common.begin(), common.end());  // the caller's values win
    if (http_port != 0) env["SWITCHBOARD_HTTP_PORT"] = std::to_string(http_port);
    processes_.push_back(
        std::make_unique<ServiceProcess>(name, binary, std::move(env), (dir_ / (name + ".log")).string()));
    http_ports_.emplace_back(name, http_port);
}

void Stack::WaitReady() {
    for (const auto& [name, port] : http_ports_) {
        const bool ready = WaitUntil(
            [&, port = port] {
                auto r = http::Fetch("127.0.0.1", port, "GET", "/readyz");
                return r.ok() && r->status == 200;
            },
            60s);
        if (!ready) throw std::runtime_error(name + " did not become ready on port " + std::to_string(port) + "\n" + Logs());
    }
}

void Stack::StartCore() {
    assistant_port = FreePort();
    assistant_grpc_port = FreePort();
    routing_port = FreePort();
    routing_grpc_port = FreePort();
    metrics_port = FreePort();
    Start("assistant", SWITCHBOARD_ASSISTANT_BIN,
          {{"SWITCHBOARD_GRPC_LISTEN", "127.0.0.1:" + std::to_string(assistant_grpc_port)},
           {"SWITCHBOARD_KB_PATH", SWITCHBOARD_DEMO_KB}},
          assistant_port);
    Start("routing", SWITCHBOARD_ROUTING_BIN,
          {{"SWITCHBOARD_GRPC_LISTEN", "127.0.0.1:" + std::to_string(routing_grpc_port)},
           {routing::kTokenSecretEnv, kTokenSecret},
           {"SWITCHBOARD_BOT_IDLE_RESOLVE_MS", "1500"},
           {"SWITCHBOARD_SWEEP_INTERVAL_MS", "100"}},
          routing_port);
    Start("metrics", SWITCHBOARD_METRICS_BIN, {}, metrics_port);
    routing_ = routing::v1::RoutingService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(routing_grpc_port), grpc::InsecureChannelCredentials()));
}

void Stack::Authorize(grpc::ClientContext& context, const std::string& op) const {
    const std::string token =
        routing::MintOperatorToken(kTokenSecret, OperatorId(op), std::chrono::system_clock::now() + 1h);
    context.AddMetadata("authorization", "Bearer " + token);
}

grpc::Status Stack::SetOnline(const std::string& op, const std::string& name, int capacity) {
    grpc::ClientContext ctx;
    Authorize(ctx, op);
    routing::v1::SetStatusRequest req;
    req.set_operator_id(op);
    req.set_display_name(name);
    req.set_status(routing::v1::OPERATOR_STATUS_ONLINE);
    req.set_capacity(capacity);
    routing::v1::SetStatusResponse resp;
    return routing().SetStatus(&ctx, req, &resp);
}

routing::v1::Conversation Stack::GetConversation(const std::string& conv, const std::string& as) {
    grpc::ClientContext ctx;
    Authorize(ctx, as);
    routing::v1::GetConversationRequest req;
    req.set_conversation_id(conv);
    routing::v1::Conversation resp;
    if (!routing().GetConversation(&ctx, req, &resp).ok()) return {};
    return resp;
}

std::string DemoAnswer(const std::string& article_id) {
    auto articles = kb::LoadJsonlFile(SWITCHBOARD_DEMO_KB);
    if (!articles) return "";
    for (const auto& a : *articles) {
        if (a.id.str() == article_id) return a.answer;
    }
    return "";
}

std::vector<std::string> Stack::Stop() {
    std::vector<std::string> unclean;
    for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
        if ((*it)->Terminate() != 0) unclean.push_back((*it)->name() + "\n" + (*it)->LogTail());
    }
    processes_.clear();
    http_ports_.clear();
    return unclean;
}

std::string Stack::Logs() const {
    std::string out;
    for (const auto& p : processes_) out += "---- " + p->name() + " ----\n" + p->LogTail() + "\n";
    return out;
}

}  // namespace switchboard::e2e
