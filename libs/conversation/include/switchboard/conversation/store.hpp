#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::conversation {

// A conversation's place in its life. A resolved conversation that gets a new customer message
// starts a new bot turn.
enum class State { kNone, kBot, kQueued, kAssigned, kResolved };
std::string_view StateName(State state);

struct ConversationInfo {
    State state = State::kNone;
    std::string channel;
    OperatorId operator_id;
    std::string operator_name;
};

struct Assignment {
    ConversationId conversation;
    OperatorId op;
    std::string operator_name;
    std::string channel;
};

struct BotResolution {
    ConversationId conversation;
    std::string channel;
};

enum class OperatorStatus { kOnline, kAway, kOffline };

enum class ResolveOutcome { kResolved, kNotAssigned, kOtherOperator };

// Conversation and operator state in Redis, changed only by atomic Lua scripts (EVALSHA) so that
// any number of assistant and routing replicas can act at once without double assignment or
// exceeding an operator's capacity.
//
// Keys (P = naming prefix): P conv:<id> (hash), P queue (zset by enqueue time), P op:<id> (hash:
// name, status, capacity, load, last_assigned_at), P ops:online (set), P bot_idle (zset by due time).
// The scripts touch keys derived inside Lua, so this needs a single Redis (not Cluster).
//
// Thread-safety: as thread-safe as the redis::Client given (the real one is). Errors: Redis
// failures come back as retryable Errors.
class Store {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    Store(redis::Client& redis, std::string key_prefix);

    Result<ConversationInfo> Get(const ConversationId& id);

    // Assistant, on a customer message: a new or resolved conversation becomes kBot. Returns the
    // state after the call; the assistant answers only in kBot.
    Result<State> BeginBotTurn(const ConversationId& id, const std::string& channel, TimePoint now);
    // Assistant, after publishing a handoff: kBot → kQueued so the bot stays silent from now on.
    // Returns false if a human already holds the conversation.
    Result<bool> MarkHandoff(const ConversationId& id, const std::string& channel, TimePoint now);

    // Routing, on HandoffRequested: queue the conversation unless an operator already holds it.
    Result<bool> Enqueue(const ConversationId& id, const std::string& channel, TimePoint now);
    // Routing: assigns queued conversations, oldest first, to online operators with free capacity
    // (least loaded relative to capacity, then longest since last assignment). At most `max`.
    Result<std::vector<Assignment>> AssignQueued(TimePoint now, int max);

    Status SetOperatorStatus(const OperatorId& op, const std::string& display_name, OperatorStatus status,
                             int capacity /* 0 = keep, default 3 */);
    Result<ResolveOutcome> ResolveByOperator(const ConversationId& id, const OperatorId& op, TimePoint now);

    // Routing, on BotAnswered: resolve as the bot's if nothing else happens until `due`.
    Status ScheduleBotResolution(const ConversationId& id, TimePoint due);
    // Routing's sweeper: due conversations still in kBot become kResolved (by the bot). Each one
    // is returned to exactly one caller, whichever replica asks first.
    Result<std::vector<BotResolution>> ResolveIdleBots(TimePoint now, int max);

private:
    std::string Key(const std::string& kind, const std::string& id) const { return prefix_ + kind + id; }
    redis::Client& redis_;
    std::string prefix_;
};

}  // namespace switchboard::conversation
