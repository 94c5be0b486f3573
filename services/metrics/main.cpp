// Composition root of the metrics service.
#include <spdlog/spdlog.h>

#include "business_probe.hpp"
#include "measurement_store.hpp"
#include "recorder.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"
#include "switchboard/runtime/ticker.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8083);
    schema.Int("census.interval-ms", 5000,
               "how often operators and the queue are counted from the routing state (the gauges)", 100, 600000);
    const auto cfg = runtime::Bootstrap(argc, argv, "metrics",
                                        "Switchboard metrics: auto-resolution, first-response time, handoffs, "
                                        "exported for Prometheus on /metrics.",
                                        schema);
    const auto common = runtime::ReadCommon(cfg);
    const events::Naming naming(common.ns);
    runtime::ServiceRuntime rt("metrics", common.http);
    metrics::BusinessProbe probe(rt.registry());

    auto redis = redis::MakeClient(common.redis, &rt.registry());
    metrics::MeasurementStore store(*redis, naming.RedisPrefix());
    metrics::Recorder recorder(store, probe, naming);
    auto consumer = kafka::MakeConsumer(
        {common.kafka_brokers, naming.Group("metrics"), "metrics", {naming.Inbound(), naming.Events()}, "earliest",
         {}},
        [&recorder](const kafka::Record& r) { return recorder.Handle(r); }, &rt.registry());

    rt.AddReadinessCheck("redis", [&redis] { return redis->Healthy(); });
    rt.AddReadinessCheck("kafka_consumer", [&consumer] { return consumer->Healthy(); });
    runtime::OrExit("start the HTTP server", [&] { rt.Start(); });
    consumer->Start();
    conversation::Store routing_state(*redis, naming.RedisPrefix());
    runtime::Ticker census(std::chrono::milliseconds(cfg.GetInt("census.interval-ms")), [&] {
        auto c = routing_state.TakeCensus();
        if (!c) {
            spdlog::warn("census of operators and queue failed: {}", c.error().message);
            return;
        }
        const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        probe.OnCensus(*c, now);
    });
    spdlog::info("metrics ready: http port {}", rt.port());

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    census.Stop();
    consumer->Stop();
    rt.Stop();
    spdlog::info("metrics stopped");
    return 0;
}
