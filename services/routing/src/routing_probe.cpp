#include "routing_probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
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
      abandoned_(Resolutions(registry).Add({{"resolved_by", "abandoned"}})),
      replies_(Simple(registry, "switchboard_routing_operator_replies_total", "Operator replies sent")),
      invalid_(Simple(registry, "switchboard_routing_invalid_records_total",
                      "chat.events.v1 records that could not be decoded, skipped")),
      publish_failed_(Simple(registry, "switchboard_routing_publish_failures_total",
                             "Events that could not be published to Kafka")),
      offered_(Simple(registry, "switchboard_routing_offers_total",
                      "Conversations offered to an operator who must accept (auto-accepting operators are "
                      "counted in assignments only)")),
      offers_ended_(prometheus::BuildCounter()
                        .Name("switchboard_routing_offers_ended_total")
                        .Help("Offers that ended without an assignment, by reason")
                        .Register(registry)),
      transferred_(Simple(registry, "switchboard_routing_transfers_total", "Conversations transferred by operators")),
      operators_lost_(Simple(registry, "switchboard_routing_operators_lost_total",
                             "Operators set offline because their heartbeats stopped")),
      conflicts_(Simple(registry, "switchboard_routing_dispatch_conflicts_total",
                        "Planned offers refused by the atomic check (stale snapshot, another replica won)")),
      dispatch_seconds_(prometheus::BuildHistogram()
                            .Name("switchboard_routing_dispatch_seconds")
                            .Help("Duration of one dispatch pass (snapshot, policy, offers, events)")
                            .Register(registry)
                            .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                               0.025, 0.05, 0.1, 0.25, 1})) {}

void RoutingProbe::OnHandoffQueued() { queued_.Increment(); }
void RoutingProbe::OnAssigned() { assigned_.Increment(); }
void RoutingProbe::OnResolvedByBot() { resolved_bot_.Increment(); }
void RoutingProbe::OnResolvedByOperator() { resolved_operator_.Increment(); }
void RoutingProbe::OnAbandoned() { abandoned_.Increment(); }
void RoutingProbe::OnOperatorReply() { replies_.Increment(); }
void RoutingProbe::OnInvalidRecord() { invalid_.Increment(); }
void RoutingProbe::OnPublishFailed() { publish_failed_.Increment(); }
void RoutingProbe::OnOffered() { offered_.Increment(); }
void RoutingProbe::OnOfferEnded(const std::string& reason) { offers_ended_.Add({{"reason", reason}}).Increment(); }
void RoutingProbe::OnTransferred() { transferred_.Increment(); }
void RoutingProbe::OnOperatorLost() { operators_lost_.Increment(); }
void RoutingProbe::OnDispatchConflict() { conflicts_.Increment(); }
void RoutingProbe::OnDispatch(double seconds, std::size_t) { dispatch_seconds_.Observe(seconds); }

}  // namespace switchboard::routing
