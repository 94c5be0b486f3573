#pragma once

#include <cstddef>
#include <string>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace switchboard::routing {

// The routing service's own metrics. Thread-safe.
class RoutingProbe {
public:
    explicit RoutingProbe(prometheus::Registry& registry);
    void OnHandoffQueued();
    void OnAssigned();
    void OnResolvedByBot();
    void OnResolvedByOperator();
    void OnAbandoned();
    void OnOperatorReply();
    void OnInvalidRecord();
    void OnPublishFailed();
    void OnOffered();
    void OnOfferEnded(const std::string& reason);  // declined, expired, operator_offline
    void OnTransferred();
    void OnOperatorLost();  // heartbeats stopped
    // An offer a stale snapshot planned that the atomic check refused (another replica won, or the
    // operator changed): harmless, but a high rate means replicas contend.
    void OnDispatchConflict();
    void OnDispatch(double seconds, std::size_t placed);

private:
    prometheus::Counter& queued_;
    prometheus::Counter& assigned_;
    prometheus::Counter& resolved_bot_;
    prometheus::Counter& resolved_operator_;
    prometheus::Counter& abandoned_;
    prometheus::Counter& replies_;
    prometheus::Counter& invalid_;
    prometheus::Counter& publish_failed_;
    prometheus::Counter& offered_;
    prometheus::Family<prometheus::Counter>& offers_ended_;
    prometheus::Counter& transferred_;
    prometheus::Counter& operators_lost_;
    prometheus::Counter& conflicts_;
    prometheus::Histogram& dispatch_seconds_;
};

}  // namespace switchboard::routing
