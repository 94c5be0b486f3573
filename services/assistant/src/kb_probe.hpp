#pragma once

#include <cstddef>
#include <string_view>

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace switchboard::assistant {

// Metrics of the live knowledge base (sync and admin API). Registers its families once.
// Thread-safe.
class KbProbe {
public:
    explicit KbProbe(prometheus::Registry& registry);

    // An index with `articles` articles was built in `seconds` and swapped in.
    void OnRebuild(double seconds, std::size_t articles);
    // A kb.articles.v1 record that could not be used (undecodable, key and id differ, …).
    void OnInvalidRecord();
    // One admin RPC finished with gRPC status `code` ("OK", "INVALID_ARGUMENT", …).
    void OnAdminCall(std::string_view method, std::string_view code);

private:
    prometheus::Gauge& articles_;
    prometheus::Counter& rebuilds_;
    prometheus::Histogram& rebuild_seconds_;
    prometheus::Counter& invalid_;
    prometheus::Family<prometheus::Counter>& admin_calls_;
};

}  // namespace switchboard::assistant
