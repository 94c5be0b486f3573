// Composition root of the metrics service.
#include <spdlog/spdlog.h>

#include "business_probe.hpp"
#include "measurement_store.hpp"
#include "recorder.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/runtime/bootstrap.hpp"
#include "switchboard/runtime/service_runtime.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
    runtime::BlockTerminationSignals();
    config::Schema schema;
    runtime::AddCommonKeys(schema, 8083);
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
    spdlog::info("metrics ready: http port {}", rt.port());

    const int sig = runtime::WaitForTerminationSignal();
    spdlog::info("signal {} received: draining", sig);
    consumer->Stop();
    rt.Stop();
    spdlog::info("metrics stopped");
    return 0;
}
