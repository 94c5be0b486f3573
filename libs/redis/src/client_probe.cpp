#include "client_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace switchboard::redis {
namespace {

prometheus::Family<prometheus::Counter>& CommandsFamily(prometheus::Registry& registry) {
    return prometheus::BuildCounter()
        .Name("switchboard_redis_commands_total")
        .Help("Redis client calls (Command, Eval) by outcome")
        .Register(registry);
}

prometheus::Histogram& SecondsHistogram(prometheus::Registry& registry) {
    // A local round trip is ~25-100 us; the top buckets catch timeouts (default 1 s).
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    return prometheus::BuildHistogram()
        .Name("switchboard_redis_command_seconds")
        .Help("Latency of Redis client calls (Command, Eval), including reconnects")
        .Register(registry)
        .Add({}, kBuckets);
}

}  // namespace

ClientProbe::ClientProbe(prometheus::Registry& registry)
    : ClientProbe(CommandsFamily(registry), SecondsHistogram(registry)) {}

ClientProbe::ClientProbe(prometheus::Family<prometheus::Counter>& commands,
                         prometheus::Histogram& seconds)
    : ok_(commands.Add({{"result", "ok"}})),
      error_(commands.Add({{"result", "error"}})),
      seconds_(seconds) {}

void ClientProbe::OnCommand(bool ok, std::chrono::steady_clock::duration elapsed) {
    (ok ? ok_ : error_).Increment();
    seconds_.Observe(std::chrono::duration<double>(elapsed).count());
}

}  // namespace switchboard::redis
