// Composition root of the assistant: builds the object graph, runs until SIGTERM, then stops
// everything in reverse order.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string_view>

#include "ask_service.hpp"
#include "eval.hpp"
#include "assistant_probe.hpp"
#include "inbound_handler.hpp"
#include "responder.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
    // `assistant eval …`: offline quality evaluation, no Kafka or Redis (see src/eval.hpp).
    if (argc >= 2 && std::string_view(argv[1]) == "eval") return assistant::RunEval(argc - 1, argv + 1);
    // `assistant gaps …`: "what to add next", asked of a running assistant over gRPC.
    if (argc >= 2 && std::string_view(argv[1]) == "gaps") return assistant::RunGaps(argc - 1, argv + 1);
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8081);
    schema.RequiredString("kb.path", "knowledge base, JSON Lines (one article per line)")
        .String("grpc.listen", "127.0.0.1:9081", "address of the gRPC AssistantService (with reflection)")
        .Double("assistant.threshold", 0.5, "minimum score (0..1) to answer; below it the customer is handed off")
        .Int("kafka.consumers", 1, "consumer threads for chat.inbound.v1", 1, 64);
    const auto cfg = runtime::Bootstrap(argc, argv, "assistant",
                                        "Switchboard assistant: answers customers from the knowledge base or "
                                        "hands them to an operator; gRPC Ask for operators.",
                                        schema);
    const auto common = runtime::ReadCommon(cfg);

    auto articles = kb::LoadJsonlFile(cfg.GetString("kb.path"));
    if (!articles) {
        spdlog::critical("cannot load the knowledge base: {}", articles.error().message);
        return 2;
    }
    const double threshold = cfg.GetDouble("assistant.threshold");
    if (threshold < 0 || threshold > 1) {
        spdlog::critical("config key 'assistant.threshold' must be between 0 and 1");
        return 2;
    }
    kb::LiveIndex index(std::make_shared<const kb::Index>(std::move(articles).value()));
    spdlog::info("knowledge base loaded: {} articles from {}", index.Get()->size(), cfg.GetString("kb.path"));
    const assistant::Responder responder(index, {threshold, 3});

    const events::Naming naming(common.ns);
    const SystemClock clock;
    runtime::ServiceRuntime rt("assistant", common.http);
    assistant::AssistantProbe probe(rt.registry());

    auto redis = redis::MakeClient(common.redis, &rt.registry());
    conversation::Store store(*redis, naming.RedisPrefix());
    std::unique_ptr<kafka::Producer> producer;
    try {
        producer = kafka::MakeProducer({common.kafka_brokers, "assistant", {}}, &rt.registry());
    } catch (const std::exception& e) {
        spdlog::critical("cannot create the Kafka producer: {}", e.what());
        return 2;
    }
    assistant::ConversationMemory memory(*redis, naming.RedisPrefix());
    assistant::GapLog gaps(*redis, naming.RedisPrefix());
    assistant::InboundHandler handler(responder, store, memory, gaps, *producer, naming, clock, probe);

    std::vector<std::unique_ptr<kafka::Consumer>> consumers;
    for (int i = 0; i < cfg.GetInt("kafka.consumers"); ++i) {
        consumers.push_back(kafka::MakeConsumer(
            {common.kafka_brokers, naming.Group("assistant"), "assistant", {naming.Inbound()}, "earliest", {}},
            [&handler](const kafka::Record& r) { return handler.Handle(r); }, &rt.registry()));
    }

    assistant::AskService ask(index, responder, gaps, probe);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int grpc_port = 0;
    builder.AddListeningPort(cfg.GetString("grpc.listen"), grpc::InsecureServerCredentials(), &grpc_port);
    builder.RegisterService(&ask);
    auto rpc_server = builder.BuildAndStart();
    if (!rpc_server || grpc_port == 0) {
        spdlog::critical("cannot listen for gRPC on {}", cfg.GetString("grpc.listen"));
        return 2;
    }

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumers] {
        for (const auto& c : consumers) {
            if (!c->Healthy()) return false;
        }
        return true;
    });
    try {
        rt.Start();
    } catch (const std::exception& e) {
        spdlog::critical("cannot start the HTTP server: {}", e.what());
        return 2;
    }
    for (auto& c : consumers) c->Start();
    spdlog::info("assistant ready: http port {}, gRPC port {}, consuming {}", rt.port(), grpc_port, naming.Inbound());

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    for (auto& c : consumers) c->Stop();  // finishes the record in hand, commits offsets
    rpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(common.drain_ms));
    (void)producer->Flush(std::chrono::milliseconds(common.drain_ms));
    rt.Stop();
    spdlog::info("assistant stopped");
    return 0;
}
