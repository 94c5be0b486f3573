#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::metrics {

// A moment in a conversation's cycle (from its first customer message to its resolution).
enum class Mark {
    kCustomerMessage,  // the gateway received a customer message
    kBotReply,         // a gateway delivered an assistant answer (not a notice)
    kOperatorReply,    // a gateway delivered an operator's reply
    kHandoff,          // the assistant handed the conversation off
    kAssigned,         // routing assigned it to an operator
};

// One interval of a cycle, measured once: the first of each mark counts.
//   first_response_any       first customer message → first reply of any kind
//   first_response_bot       first customer message → first assistant answer
//   first_response_operator  first customer message → first operator reply
//   queue_wait               handoff → assignment
//   operator_response        assignment → first operator reply
struct Measurement {
    std::string name;
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
    double Seconds() const { return to_ms > from_ms ? static_cast<double>(to_ms - from_ms) / 1000.0 : 0.0; }
};

// What the metrics service must remember between records, kept in Redis so restarts lose
// nothing and replicas never count one thing twice. Records come from two topics with no order
// between them (chat.inbound.v1, chat.events.v1), so an interval is completed by whichever of its
// ends arrives last, and a resolved cycle waits an hour for its late halves.
//
// Keys: P m:conv:<id> (hash: one field per mark, obs:<interval> once measured, ended),
// P m:seen:<event id>. Thread-safe (as the redis::Client).
class MeasurementStore {
public:
    MeasurementStore(redis::Client& redis, std::string prefix);

    // True the first time `event_id` is seen (kept for 7 days): counts happen once.
    Result<bool> FirstSight(const std::string& event_id);

    // Records a mark of the conversation's current cycle (only the first of each kind counts) and
    // returns the intervals it completed, each exactly once.
    Result<std::vector<Measurement>> Record(const ConversationId& id, Mark mark, std::int64_t at_ms);
    // The conversation is resolved: the next customer message starts a new cycle. Intervals still
    // missing an end (read later from the other topic) can complete for an hour.
    Status EndCycle(const ConversationId& id);

private:
    redis::Client& redis_;
    std::string prefix_;
};

}  // namespace switchboard::metrics
