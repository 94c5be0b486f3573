#pragma once

#include "business_probe.hpp"
#include "measurement_store.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/consumer.hpp"

namespace switchboard::metrics {

// Turns chat.inbound.v1 and chat.events.v1 records into the business metrics: decode, dedupe by
// event id, complete first-response pairs in the MeasurementStore, update the BusinessProbe.
// Thread-safety: Handle may run on several consumer threads.
class Recorder {
public:
    Recorder(MeasurementStore& store, BusinessProbe& probe, const events::Naming& naming);
    Status Handle(const kafka::Record& record);

private:
    Status HandleInbound(const kafka::Record& record);
    Status HandleEvent(const kafka::Record& record);
    void Observe(const std::string& channel, const FirstResponse& fr);

    MeasurementStore& store_;
    BusinessProbe& probe_;
    std::string inbound_topic_;
};

}  // namespace switchboard::metrics
