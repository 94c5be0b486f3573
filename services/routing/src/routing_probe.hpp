#pragma once

namespace prometheus {
class Registry;
class Counter;
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
    void OnOperatorReply();
    void OnInvalidRecord();
    void OnPublishFailed();

private:
    prometheus::Counter& queued_;
    prometheus::Counter& assigned_;
    prometheus::Counter& resolved_bot_;
    prometheus::Counter& resolved_operator_;
    prometheus::Counter& replies_;
    prometheus::Counter& invalid_;
    prometheus::Counter& publish_failed_;
};

}  // namespace switchboard::routing
