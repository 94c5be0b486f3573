// Composition root of gateway-web.
#include <spdlog/spdlog.h>

#include "connection_registry.hpp"
#include "gateway_probe.hpp"
#include "transcript_store.hpp"
#include "web_gateway.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/redis/subscriber.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8080);
    schema.Int("http.threads", 2, "HTTP server threads", 1, 64)
        .Int("http.max-body-bytes", 16384, "larger request bodies are refused with 413", 1024, 1048576)
        .Int("typing.min-interval-ms", 3000,
             "at most one customer-typing event per conversation per this interval (per replica)", 0, 600000)
        .String("cors.allow-origins", "*",
                "sites that may embed the widget: \"*\" or comma-separated origins (https://shop.example)");
    const auto cfg = runtime::Bootstrap(argc, argv, "gateway-web",
                                        "Switchboard website-chat gateway: HTTP + WebSocket for the site widget.",
                                        schema);
    auto common = runtime::ReadCommon(cfg);
    common.http.threads = static_cast<int>(cfg.GetInt("http.threads"));
    common.http.max_body_bytes = static_cast<std::size_t>(cfg.GetInt("http.max-body-bytes"));
    const events::Naming naming(common.ns);
    const SystemClock clock;

    runtime::ServiceRuntime rt("gateway-web", common.http);
    gateway_web::GatewayProbe probe(rt.registry());
    auto redis = redis::MakeClient(common.redis, &rt.registry());
    gateway_web::TranscriptStore transcripts(*redis, naming.RedisPrefix());
    gateway_web::ConnectionRegistry sockets;
    auto producer = runtime::OrExit("create the Kafka producer", [&] {
        return kafka::MakeProducer({common.kafka_brokers, "gateway-web", {}}, &rt.registry());
    });
    gateway_web::WebGatewayOptions options;
    options.typing_interval = std::chrono::milliseconds(cfg.GetInt("typing.min-interval-ms"));
    options.allow_origins = cfg.GetString("cors.allow-origins");
    gateway_web::WebGateway gateway(*producer, transcripts, sockets, naming, clock, probe, options);
    gateway.RegisterRoutes(rt.http());
    redis::Subscriber live(common.redis, transcripts.LiveChannel(),
                           [&gateway](const std::string& message) { gateway.OnLive(message); });
    auto consumer = kafka::MakeConsumer(
        {common.kafka_brokers, naming.Group("gateway-web"), "gateway-web",
         {naming.Outbound(switchboard::common::v1::CHANNEL_WEB)}, "earliest", {}},
        [&gateway](const kafka::Record& r) { return gateway.HandleOutbound(r); }, &rt.registry());

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_producer", [&producer] { return producer->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumer] { return consumer->Healthy(); });
    rt.AddReadinessCheck("redis_live", [&live] { return live.Subscribed(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    live.Start();
    consumer->Start();
    spdlog::info("gateway-web ready: http://{}:{}/", common.http.host, rt.port());

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    // Stop taking requests first (in-flight ones finish), then deliveries, then the producer.
    rt.Stop();
    sockets.CloseAll();
    consumer->Stop();
    live.Stop();
    (void)producer->Flush(std::chrono::milliseconds(common.drain_ms));
    spdlog::info("gateway-web stopped");
    return 0;
}
