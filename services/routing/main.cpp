// Composition root of the routing service.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "router.hpp"
#include "routing_grpc.hpp"
#include "routing_probe.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"
#include "switchboard/runtime/ticker.hpp"

using namespace switchboard;


int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8082);
    schema.String("grpc.listen", "127.0.0.1:9082", "address of the gRPC RoutingService (with reflection)")
        .Int("bot.idle-resolve-ms", 600000,
             "a conversation the assistant answered is resolved by the bot after this long without news", 100,
             86400000)
        .Int("sweep.interval-ms", 500, "how often idle bot conversations and the queue are checked", 10, 60000);
    const auto cfg = runtime::Bootstrap(argc, argv, "routing",
                                        "Switchboard routing: queues handoffs, assigns operators, carries "
                                        "their replies, resolves conversations; gRPC API for the inbox.",
                                        schema);
    const auto common = runtime::ReadCommon(cfg);
    const events::Naming naming(common.ns);
    const SystemClock clock;
    runtime::ServiceRuntime rt("routing", common.http);
    routing::RoutingProbe probe(rt.registry());

    auto redis = redis::MakeClient(common.redis, &rt.registry());
    conversation::Store store(*redis, naming.RedisPrefix());
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "routing", {}}, &rt.registry());
    });
    routing::Router router(store, *producer, naming, clock, probe,
                           {std::chrono::milliseconds(cfg.GetInt("bot.idle-resolve-ms")), 100});
    auto consumer = kafka::MakeConsumer(
        {common.kafka_brokers, naming.Group("routing"), "routing", {naming.Events()}, "earliest", {}},
        [&router](const kafka::Record& r) { return router.HandleEvent(r); }, &rt.registry());

    routing::RoutingGrpc grpc_service(router);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int grpc_port = 0;
    builder.AddListeningPort(cfg.GetString("grpc.listen"), grpc::InsecureServerCredentials(), &grpc_port);
    builder.RegisterService(&grpc_service);
    auto rpc_server = builder.BuildAndStart();
    if (!rpc_server || grpc_port == 0) {
        spdlog::critical("cannot listen for gRPC on {}", cfg.GetString("grpc.listen"));
        return 2;
    }

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumer] { return consumer->Healthy(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    consumer->Start();
    // The sweeper also retries assignment, so a queue drains even if an event was missed.
    runtime::Ticker sweeper(std::chrono::milliseconds(cfg.GetInt("sweep.interval-ms")), [&router] {
        if (Status s = router.SweepIdleBots(); !s.ok()) spdlog::warn("idle sweep failed: {}", s.error().message);
        if (auto a = router.AssignQueued(); !a) spdlog::warn("queue drain failed: {}", a.error().message);
    });
    spdlog::info("routing ready: http port {}, gRPC port {}", rt.port(), grpc_port);

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    sweeper.Stop();
    consumer->Stop();
    rpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(common.drain_ms));
    (void)producer->Flush(std::chrono::milliseconds(common.drain_ms));
    rt.Stop();
    spdlog::info("routing stopped");
    return 0;
}
