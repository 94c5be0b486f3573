#pragma once

#include "business_probe.hpp"
#include "measurement_store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/consumer.hpp"

namespace switchboard::metrics {

// Turns chat.inbound.v1 and chat.events.v1 records into the business metrics: decode, dedupe by
// event id, complete the cycle's intervals in the MeasurementStore, update the BusinessProbe.
// Thread-safety: Handle may run on several consumer threads.
class Recorder {
public:
    Recorder(MeasurementStore& store, BusinessProbe& probe, const events::Naming& naming);
    Status Handle(const kafka::Record& record);

private:
    Status HandleInbound(const kafka::Record& record);
    Status HandleEvent(const kafka::Record& record);
    Status Mark(const ConversationId& conv, const std::string& channel, metrics::Mark mark, std::int64_t at_ms);

    MeasurementStore& store_;
    BusinessProbe& probe_;
    std::string inbound_topic_;
};

}  // namespace switchboard::metrics
