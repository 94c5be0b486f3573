#include "routing_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace switchboard::routing {

namespace {
prometheus::Counter& Simple(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}
prometheus::Family<prometheus::Counter>& Resolutions(prometheus::Registry& r) {
    return prometheus::BuildCounter()
        .Name("switchboard_routing_resolutions_total")
        .Help("Conversations resolved by this routing replica, by who resolved them")
        .Register(r);
}
}  // namespace

RoutingProbe::RoutingProbe(prometheus::Registry& registry)
    : queued_(Simple(registry, "switchboard_routing_handoffs_queued_total", "Handoffs put in the operator queue")),
      assigned_(Simple(registry, "switchboard_routing_assignments_total", "Conversations assigned to an operator")),
      resolved_bot_(Resolutions(registry).Add({{"resolved_by", "bot"}})),
      resolved_operator_(Resolutions(registry).Add({{"resolved_by", "operator"}})),
      replies_(Simple(registry, "switchboard_routing_operator_replies_total", "Operator replies sent")),
      invalid_(Simple(registry, "switchboard_routing_invalid_records_total",
                      "chat.events.v1 records that could not be decoded, skipped")),
      publish_failed_(Simple(registry, "switchboard_routing_publish_failures_total",
                             "Events that could not be published to Kafka")) {}

void RoutingProbe::OnHandoffQueued() { queued_.Increment(); }
void RoutingProbe::OnAssigned() { assigned_.Increment(); }
void RoutingProbe::OnResolvedByBot() { resolved_bot_.Increment(); }
void RoutingProbe::OnResolvedByOperator() { resolved_operator_.Increment(); }
void RoutingProbe::OnOperatorReply() { replies_.Increment(); }
void RoutingProbe::OnInvalidRecord() { invalid_.Increment(); }
void RoutingProbe::OnPublishFailed() { publish_failed_.Increment(); }

}  // namespace switchboard::routing
