#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "routing_probe.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"

namespace switchboard::routing {

// Owns the conversation lifecycle after the assistant: queues handoffs, assigns them to online
// operators with free capacity (atomically in Redis, so replicas never double-assign), sends
// operators' replies, resolves conversations (by an operator, or by the bot after an idle time),
// and publishes every transition on chat.events.v1.
//
// Thread-safety: all methods may be called concurrently (consumer thread, gRPC threads, sweeper).
class Router {
public:
    struct Options {
        std::chrono::milliseconds bot_idle_resolve{std::chrono::minutes(10)};
        int assign_batch = 100;
    };

    Router(conversation::Store& store, kafka::Producer& producer, const events::Naming& naming, const Clock& clock,
           RoutingProbe& probe, Options options);

    // chat.events.v1 consumer: HandoffRequested → queue + assign; BotAnswered → schedule
    // the bot's resolution. Other events are ignored here.
    Status HandleEvent(const kafka::Record& record);

    // Assigns what capacity allows and publishes OperatorAssigned for each; returns them.
    Result<std::vector<conversation::Assignment>> AssignQueued();
    // Resolves due idle bot conversations and publishes ConversationResolved{bot}.
    Status SweepIdleBots();

    Result<std::vector<conversation::Assignment>> SetStatus(const OperatorId& op, const std::string& name,
                                                            conversation::OperatorStatus status, int capacity);

    enum class ActionError { kNone, kNotAssigned, kOtherOperator, kUnavailable };
    struct ReplyOutcome {
        ActionError error = ActionError::kNone;
        std::string reply_id;
        std::string message;
    };
    ReplyOutcome Reply(const OperatorId& op, const ConversationId& conv, const std::string& text);
    ReplyOutcome Resolve(const OperatorId& op, const ConversationId& conv);
    Result<conversation::ConversationInfo> Get(const ConversationId& conv) { return store_.Get(conv); }

private:
    Status PublishAssignments(const std::vector<conversation::Assignment>& assignments);

    conversation::Store& store_;
    kafka::Producer& producer_;
    const events::Naming& naming_;
    const Clock& clock_;
    RoutingProbe& probe_;
    Options options_;
};

}  // namespace switchboard::routing
