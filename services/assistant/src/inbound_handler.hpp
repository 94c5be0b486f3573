#pragma once

#include "assistant_probe.hpp"
#include "conversation_memory.hpp"
#include "gap_log.hpp"
#include "responder.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"

namespace switchboard::assistant {

// Adapter from chat.inbound.v1 records to the Responder's decisions: decode and validate, skip
// conversations a human holds, publish the reply (chat.outbound.<channel>.v1) and the event
// (BotAnswered / HandoffRequested on chat.events.v1, a handoff carrying the transcript so far),
// remember the exchange, then mark a handoff in the conversation store. Reply and event ids derive from the message id, so a redelivered record yields the same
// records and the gateway's reply-id dedup makes the effect exactly-once.
//
// Thread-safety: Handle may run on several consumer threads at once; dependencies must outlive it.
class InboundHandler {
public:
    InboundHandler(const Responder& responder, conversation::Store& store, ConversationMemory& memory,
                   GapLog& gaps, kafka::Producer& producer, const events::Naming& naming, const Clock& clock,
                   AssistantProbe& probe);

    Status Handle(const kafka::Record& record);

private:
    const Responder& responder_;
    conversation::Store& store_;
    ConversationMemory& memory_;
    GapLog& gaps_;
    kafka::Producer& producer_;
    const events::Naming& naming_;
    const Clock& clock_;
    AssistantProbe& probe_;
};

}  // namespace switchboard::assistant
