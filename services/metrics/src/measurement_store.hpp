#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::metrics {

// A conversation's first message and first reply, measured once.
struct FirstResponse {
    std::int64_t first_message_ms = 0;
    std::int64_t first_reply_ms = 0;
    std::string responder;  // "bot" | "operator"
};

// What the metrics service must remember between records, kept in Redis so restarts lose
// nothing and replicas never count one thing twice. The records come from two topics with no
// order between them, so the first-response pair is completed by whichever side arrives last.
//
// Keys: P m:conv:<id> (hash: first_in, first_reply, responder, observed), P m:seen:<event id>.
// Thread-safe (as the redis::Client).
class MeasurementStore {
public:
    MeasurementStore(redis::Client& redis, std::string prefix);

    // True the first time `event_id` is seen (kept for 7 days): counts happen once.
    Result<bool> FirstSight(const std::string& event_id);

    // Record the conversation's customer message / reply time (only the first of each cycle is
    // kept). Returns the measurement exactly once, when both are known.
    Result<std::optional<FirstResponse>> RecordCustomerMessage(const ConversationId& id, std::int64_t at_ms);
    Result<std::optional<FirstResponse>> RecordReply(const ConversationId& id, std::int64_t at_ms,
                                                     const std::string& responder);
    // The conversation is over: the next customer message starts a new measurement. A cycle still
    // missing its message or its reply (read later from the other topic) waits an hour for it.
    Status EndCycle(const ConversationId& id);

private:
    Result<std::optional<FirstResponse>> Record(const ConversationId& id, const char* field, std::int64_t at_ms,
                                                const std::string& responder);
    redis::Client& redis_;
    std::string prefix_;
};

}  // namespace switchboard::metrics
