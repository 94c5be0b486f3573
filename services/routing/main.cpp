// Composition root of the routing service: builds the object graph, runs until SIGTERM, then stops
// everything in reverse order.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <string_view>

#include "inbox_hub.hpp"
#include "operator_token.hpp"
#include "router.hpp"
#include "routing_grpc.hpp"
#include "routing_probe.hpp"
#include "switchboard/channel/secrets.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/redis/pool.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/grpc_metrics.hpp"
#include "switchboard/runtime/service_runtime.hpp"
#include "switchboard/runtime/ticker.hpp"

using namespace switchboard;

namespace {

std::chrono::milliseconds Ms(const config::Config& cfg, const std::string& key) {
    return std::chrono::milliseconds(cfg.GetInt(key));
}

}  // namespace

int main(int argc, char** argv) {
    // `routing token --operator ID [--ttl 30d]`: mints an operator's bearer token, no Kafka or Redis.
    if (argc >= 2 && std::string_view(argv[1]) == "token")
        return routing::RunTokenCommand(argc - 1, argv + 1);
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8082);
    schema.String("grpc.listen", "127.0.0.1:9082", "address of the gRPC RoutingService (with reflection)")
        .Int("bot.idle-resolve-ms", 600000,
             "a conversation the assistant answered is resolved by the bot after this long without news", 100,
             86400000)
        .Int("sweep.interval-ms", 500,
             "how often expired offers, silent operators, idle bot conversations and the queue are checked",
             10, 60000)
        .Int("offer.timeout-ms", 30000,
             "how long an operator who does not auto-accept has to accept an offer before it goes to the "
             "next one",
             1000, 3600000)
        .Int("offer.exclusion-ms", 600000,
             "an operator who declined or let an offer expire is not offered that conversation again for this long",
             0, 86400000)
        .Int("dispatch.operator-cache-ms", 100,
             "new handoffs are planned on operators read at most this long ago (offers re-check in Redis); 0 = "
             "read them every time",
             0, 10000)
        .Int("redis.connections", 4,
             "Redis connections of this replica; calls take an idle one, so the Kafka consumer, the "
             "dispatcher and gRPC handlers do not wait on one another's round trips",
             1, 64)
        .Int("dispatch.batch", 200, "queued conversations considered per dispatch pass", 1, 100000)
        .Int("queue.abandon-after-ms", 3600000,
             "a handed-off conversation no operator took within this time is resolved as abandoned (0 = never)", 0,
             30LL * 86400000)
        .Int("presence.heartbeat-timeout-ms", 30000,
             "an operator whose inbox sends no Heartbeat (or opens no stream) for this long goes offline and "
             "their offers move on",
             1000, 3600000)
        .Int("policy.widen-language-after-ms", 120000,
             "a queued conversation no operator with its language can take goes to anyone after this wait "
             "(-1 = never)",
             -1, 86400000)
        .Int("policy.widen-topics-after-ms", 60000,
             "a conversation transferred to a skill queue goes to operators without those topics after this "
             "wait (-1 = never)",
             -1, 86400000)
        .Int("policy.aging-step-ms", 60000,
             "every full step a conversation waits adds 1 to its priority (0 = no aging)", 0, 86400000)
        .Int("inbox.max-streams", 1000,
             "StreamAssignments streams this replica holds open at once (one gRPC thread each); more are "
             "refused with RESOURCE_EXHAUSTED",
             1, 100000)
        .Int("inbox.stream-queue", 256, "events waiting for a slow stream before new ones are dropped", 1,
             100000);
    const auto cfg = runtime::Bootstrap(
        argc, argv, "routing",
        std::string(
            "Switchboard routing: queues handoffs, offers them to operators, carries their replies, "
            "transfers and resolutions; gRPC API for the inbox.\n"
            "Subcommand: `routing token --operator ID [--ttl 30d]` prints an operator's bearer token.\n"
            "Secret (auth.token-secret) from the environment: ") +
            routing::kTokenSecretEnv + " (or " + routing::kTokenSecretEnv +
            "_FILE naming a file holding it), at least 16 bytes; it signs and verifies operator tokens.",
        schema);
    const auto common = runtime::ReadCommon(cfg);
    const events::Naming naming(common.ns);
    const SystemClock clock;

    // Secrets come from the environment (or <NAME>_FILE), never from the config file or the log.
    auto secret = channel::ReadSecret(routing::kTokenSecretEnv);
    if (!secret) {
        spdlog::critical("cannot read the operator token secret: {}", secret.error().message);
        return 2;
    }
    if (secret->size() < routing::kMinTokenSecretBytes) {
        spdlog::critical(
            "the operator token secret in {} is too short: use at least {} bytes (e.g. `openssl "
            "rand -hex 32`)",
            routing::kTokenSecretEnv, routing::kMinTokenSecretBytes);
        return 2;
    }

    runtime::ServiceRuntime rt("routing", common.http);
    routing::RoutingProbe probe(rt.registry());

    auto redis = redis::MakePool(common.redis, static_cast<std::size_t>(cfg.GetInt("redis.connections")),
                                        &rt.registry());
    conversation::Store::Options store_options;
    store_options.heartbeat_timeout = Ms(cfg, "presence.heartbeat-timeout-ms");
    store_options.exclusion_window = Ms(cfg, "offer.exclusion-ms");
    conversation::Store store(*redis, naming.RedisPrefix(), store_options);
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "routing", {}}, &rt.registry());
    });

    routing::InboxHub::Options hub_options;
    hub_options.max_streams = static_cast<std::size_t>(cfg.GetInt("inbox.max-streams"));
    hub_options.stream_queue = static_cast<std::size_t>(cfg.GetInt("inbox.stream-queue"));
    routing::InboxHub hub(*redis, common.redis, routing::InboxHub::ChannelFor(naming.RedisPrefix()),
                          hub_options, &rt.registry());

    routing::Router::Options router_options;
    router_options.bot_idle_resolve = Ms(cfg, "bot.idle-resolve-ms");
    router_options.offer_timeout = Ms(cfg, "offer.timeout-ms");
    router_options.dispatch_batch = static_cast<std::size_t>(cfg.GetInt("dispatch.batch"));
    router_options.abandon_after = Ms(cfg, "queue.abandon-after-ms");
    router_options.async_dispatch = true;
    router_options.operator_cache_ttl = Ms(cfg, "dispatch.operator-cache-ms");
    router_options.policy.widen_language_after_ms = cfg.GetInt("policy.widen-language-after-ms");
    router_options.policy.widen_topics_after_ms = cfg.GetInt("policy.widen-topics-after-ms");
    router_options.policy.aging_step_ms = cfg.GetInt("policy.aging-step-ms");
    routing::Router router(store, *producer, naming, clock, probe, hub, router_options);

    auto consumer = runtime::OrExit("create the Kafka consumer", [&] {
        return kafka::MakeConsumer(
            {common.kafka_brokers,
             naming.Group("routing"),
             "routing",
             {naming.Events(), naming.Inbound()},
             "earliest",
             {}},
            [&router](const kafka::Record& r) { return router.HandleRecord(r); }, &rt.registry());
    });

    routing::RoutingGrpc grpc_service(router, hub, clock, {*secret, std::chrono::milliseconds(500)});
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    runtime::InstrumentGrpc(builder, rt.registry());
    int grpc_port = 0;
    builder.AddListeningPort(cfg.GetString("grpc.listen"), grpc::InsecureServerCredentials(), &grpc_port);
    builder.RegisterService(&grpc_service);
    // Each open StreamAssignments holds a sync-server thread: leave room for unary calls beyond them.
    grpc::ResourceQuota quota("routing");
    quota.SetMaxThreads(static_cast<int>(hub_options.max_streams) + 64);
    builder.SetResourceQuota(quota);
    auto rpc_server = builder.BuildAndStart();
    if (!rpc_server || grpc_port == 0) {
        spdlog::critical("cannot listen for gRPC on {}", cfg.GetString("grpc.listen"));
        return 2;
    }

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumer] { return consumer->Healthy(); });
    rt.AddReadinessCheck("inbox_subscriber", [&hub] { return hub.Subscribed(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    hub.Start();
    router.Start();
    consumer->Start();
    // The sweeper also dispatches, so the queue drains even if an event was missed.
    runtime::Ticker sweeper(Ms(cfg, "sweep.interval-ms"), [&router] {
        if (Status s = router.Sweep(); !s.ok()) spdlog::warn("sweep failed: {}", s.error().message);
    });
    spdlog::info("routing ready: http port {}, gRPC port {}", rt.port(), grpc_port);

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    // Open streams end first (they would otherwise hold Shutdown until the drain deadline); then
    // in-flight unary calls finish, then the background work stops and the producer drains.
    hub.Shutdown();
    rpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(common.drain_ms));
    sweeper.Stop();
    consumer->Stop();
    router.Stop();
    hub.Stop();
    if (Status s = producer->Flush(std::chrono::milliseconds(common.drain_ms)); !s.ok()) {
        spdlog::warn("producer flush: {}", s.error().message);
    }
    rt.Stop();
    spdlog::info("routing stopped");
    return 0;
}
