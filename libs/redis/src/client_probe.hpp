#pragma once

#include <chrono>

namespace prometheus {
class Counter;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::redis {

// Metrics of the Redis client: registers its families once and keeps references to the series,
// so recording is a few atomic adds. Families are merged by name, so several clients sharing a
// registry add up into the same series.
//
// Thread-safety: OnCommand may be called from any thread. The registry must outlive the probe.
class ClientProbe {
public:
    explicit ClientProbe(prometheus::Registry& registry);

    // One public call (Command or Eval, including a NOSCRIPT reload) finished.
    void OnCommand(bool ok, std::chrono::steady_clock::duration elapsed);

private:
    ClientProbe(prometheus::Family<prometheus::Counter>& commands, prometheus::Histogram& seconds);

    prometheus::Counter& ok_;
    prometheus::Counter& error_;
    prometheus::Histogram& seconds_;
};

}  // namespace switchboard::redis
