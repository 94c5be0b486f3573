#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/core/strong_id.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::conversation {

// A conversation's place in its life:
//   bot ──handoff──► queued ──offer──► offered ──accept──► assigned ──resolve──► resolved
//                      ▲  ◄──decline / expiry / offline──┘                │
//                      └──────────────────transfer───────────────────────┘
// A resolved conversation that gets a customer message within the reopen window is reopened (a
// bot turn again, flagged); later, it starts afresh.
enum class State { kNone, kBot, kQueued, kOffered, kAssigned, kResolved };
std::string_view StateName(State state);

using Millis = std::int64_t;  // Unix epoch milliseconds

struct ConversationInfo {
    State state = State::kNone;
    std::string channel;
    OperatorId operator_id;  // kOffered: who it is offered to; kAssigned: who holds it
    std::string operator_name;
    std::string language;
    std::vector<std::string> topics;
    int priority = 0;
    Millis queued_at = 0;
    Millis offer_deadline = 0;
    std::string handoff_reason;
    // Operators who declined, let an offer expire, or transferred it away, each until a time
    // (Store::Options::exclusion_window after it happened); parallel vectors.
    std::vector<std::string> excluded;
    std::vector<Millis> excluded_until;
    std::string target_operator;        // a transfer to one operator
    std::vector<std::string> required_topics;  // a transfer to a skill queue
    bool reopened = false;
    std::string resolved_by;  // "bot", "operator" (kResolved)
    Millis resolved_at = 0;
};

enum class OperatorStatus { kOnline, kAway, kOffline };
std::string_view StatusName(OperatorStatus status);

struct OperatorProfile {
    OperatorId id;
    std::string name;
    int capacity = 0;  // 0 = keep (default 3 for a new operator)
    std::optional<std::vector<std::string>> channels, languages, topics;  // nullopt = keep; empty = any
    std::optional<bool> auto_accept;                                         // nullopt = keep (default true)
    std::vector<std::pair<std::string, int>> channel_capacity;              // non-empty = replace
};

struct OperatorRecord {
    OperatorId id;
    std::string name;
    OperatorStatus status = OperatorStatus::kOffline;
    int capacity = 0;
    int load = 0;  // offered + assigned
    std::vector<std::pair<std::string, int>> channel_capacity;
    std::vector<std::pair<std::string, int>> channel_load;
    std::vector<std::string> channels, languages, topics;
    bool auto_accept = true;
    Millis idle_since = 0;
    Millis presence_deadline = 0;  // 0 = not heartbeating
};

struct QueuedRecord {
    ConversationId id;
    ConversationInfo info;
};

// Why an offer ended without an assignment.
enum class OfferEnd { kDeclined, kExpired, kOperatorOffline };
std::string_view OfferEndName(OfferEnd end);

struct EndedOffer {
    ConversationId conversation;
    OperatorId op;
    std::string channel;
    OfferEnd why = OfferEnd::kExpired;
};

struct BotTurn {
    State state = State::kBot;  // the state after the call; the assistant answers only in kBot
    bool reopened = false;      // this message reopened a resolved conversation
    std::string previously_resolved_by;
    Millis resolved_at = 0;
};

struct BotResolution {
    ConversationId conversation;
    std::string channel;
};

// Operators and queue at a glance (for gauges).
struct Census {
    std::int64_t online = 0, away = 0, offline = 0;
    std::int64_t online_capacity = 0, online_load = 0;
    std::int64_t queue_length = 0;
    Millis oldest_queued_at = -1;  // -1 = empty queue
};

// Conversation and operator state in Redis, changed only by atomic Lua scripts (EVALSHA) so that
// any number of assistant and routing replicas act at once without double assignment or exceeding
// an operator's capacity. Decisions (who gets a conversation) are made outside, by the routing
// policy, on a Snapshot(); Offer() re-checks atomically everything an invariant rests on (still
// queued, operator online and heartbeating, capacity and per-channel caps, exclusions, a transfer's
// target), so a decision made on a stale snapshot fails cleanly instead of breaking one. Skills are
// the policy's alone: a snapshot taken just before a skills change can still place one conversation
// by the old skills.
//
// Keys (P = naming prefix): P conv:<id> (hash), P queue (zset, member = conversation, score =
// queued_at), P offers (zset by offer deadline), P op:<id> (hash), P op:<id>:offers and P op:<id>:held (sets),
// P ops:online and P ops:all (sets), P presence (zset by heartbeat deadline), P bot_idle (zset by due time),
// P transcript:<id> (list). Scripts derive keys inside Lua, so this needs a single Redis (or a
// Cluster with one hash tag for the prefix).
//
// Thread-safety: as thread-safe as the redis::Client given (the real one is). Errors: Redis
// failures come back as retryable Errors.
class Store {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    struct Options {
        std::chrono::milliseconds reopen_window{std::chrono::hours(24)};
        std::chrono::milliseconds heartbeat_timeout{std::chrono::seconds(30)};
        // How long an operator who declined or let an offer expire is not offered that
        // conversation again (so one missed offer does not strand it with its only operator).
        std::chrono::milliseconds exclusion_window{std::chrono::minutes(10)};
        std::size_t transcript_lines = 200;
    };

    Store(redis::Client& redis, std::string key_prefix, Options options);
    Store(redis::Client& redis, std::string key_prefix) : Store(redis, std::move(key_prefix), Options{}) {}

    Result<ConversationInfo> Get(const ConversationId& id);

    // ---- the assistant's side ----
    // On a customer message: a new conversation (or one resolved longer ago than the reopen
    // window) becomes kBot; one resolved within the window is reopened (kBot, flagged).
    Result<BotTurn> BeginBotTurn(const ConversationId& id, const std::string& channel, TimePoint now);
    // After publishing a handoff: kBot → kQueued so the bot stays silent from now on. False if a
    // human already holds the conversation.
    Result<bool> MarkHandoff(const ConversationId& id, const std::string& channel, TimePoint now);
    // The customer confirmed the bot's answer: kBot → kResolved by the bot. False if not in kBot.
    Result<bool> ResolveByBot(const ConversationId& id, TimePoint now);

    // ---- routing ----
    struct Handoff {
        std::string channel, language, reason;
        std::vector<std::string> topics;
        int priority = 0;
        // The queue's order: lower first. The router uses queued_at − priority × aging step, which
        // is the policy's serving order (priority, aged by waiting). 0 = the time of queueing.
        Millis queue_score = 0;
        std::string event_id;                 // the HandoffRequested's: applied once
        std::vector<std::string> transcript;  // lines appended when the handoff is applied
    };
    enum class EnqueueOutcome {
        kQueued,     // queued (or already queued: it keeps its place)
        kHeld,       // offered to or held by an operator: nothing changed
        kDuplicate,  // this event was applied before (a redelivery): nothing changed
    };
    Result<EnqueueOutcome> Enqueue(const ConversationId& id, const Handoff& handoff, TimePoint now);

    // What the policy decides on: every online operator, and up to `max_queue` queued
    // conversations from `offset`, first to be served first.
    struct Snapshot {
        std::vector<OperatorRecord> operators;
        std::vector<QueuedRecord> queue;
    };
    Result<Snapshot> TakeSnapshot(std::size_t max_queue, std::size_t offset = 0);
    // Every online operator (unless `with_operators` is false), and those of `ids` that are still queued.
    Result<Snapshot> TakeSnapshotFor(const std::vector<ConversationId>& ids, bool with_operators = true);

    enum class OfferOutcome {
        kOffered,      // waits for Accept until the deadline
        kAssigned,     // the operator auto-accepts
        kGone,         // no longer queued (another replica got there first)
        kUnavailable,  // the operator cannot take it now (offline, full, excluded, not the target)
    };
    struct OfferResult {
        OfferOutcome outcome = OfferOutcome::kGone;
        std::string operator_name;
        std::string channel;
        Millis deadline = 0;
    };
    Result<OfferResult> Offer(const ConversationId& id, const OperatorId& op, TimePoint now,
                              std::chrono::milliseconds offer_timeout);
    // Many offers in one round trip, each checked and applied as Offer() would, in order.
    Result<std::vector<OfferResult>> OfferMany(const std::vector<std::pair<ConversationId, OperatorId>>& offers,
                                               TimePoint now, std::chrono::milliseconds offer_timeout);

    enum class AcceptOutcome { kAssigned, kNotOffered, kExpired };
    Result<AcceptOutcome> Accept(const ConversationId& id, const OperatorId& op, TimePoint now);
    // The operator declines: queued again, this operator excluded. False if it was not offered to them.
    Result<bool> Decline(const ConversationId& id, const OperatorId& op, TimePoint now);
    // Offers past their deadline go back to the queue (at most `max`); each is returned to exactly
    // one caller, whichever replica asks first.
    Result<std::vector<EndedOffer>> ExpireOffers(TimePoint now, std::size_t max);

    // Creates or updates an operator and sets their status. Going online starts presence (a
    // heartbeat deadline); going away or offline ends their pending offers (returned).
    Result<std::vector<EndedOffer>> SetOperator(const OperatorProfile& profile, OperatorStatus status, TimePoint now);
    // Extends presence; an operator who went offline because heartbeats stopped comes back online.
    // The new deadline, or nullopt if the operator is unknown or set themselves away/offline.
    Result<std::optional<Millis>> Heartbeat(const OperatorId& op, TimePoint now);
    // Operators whose heartbeat deadline passed go offline; their pending offers end. Returns them.
    struct LostOperator {
        OperatorId op;
        std::vector<EndedOffer> offers;
    };
    Result<std::vector<LostOperator>> ExpirePresence(TimePoint now, std::size_t max);
    Result<std::optional<OperatorRecord>> GetOperator(const OperatorId& op);
    // What an operator has now: conversations offered to them and conversations they hold.
    struct Inbox {
        std::vector<ConversationId> offered, held;
    };
    Result<Inbox> OperatorInbox(const OperatorId& op);

    enum class HolderCheck { kOk, kNotAssigned, kOtherOperator };
    // Resolves a conversation its operator holds; frees the capacity.
    Result<HolderCheck> ResolveByOperator(const ConversationId& id, const OperatorId& op, TimePoint now);
    // Whether `op` holds the conversation (for replies).
    Result<HolderCheck> CheckHolder(const ConversationId& id, const OperatorId& op);
    struct TransferTarget {
        OperatorId to_operator;                 // one operator, or
        std::vector<std::string> to_topics;     // a skill queue
    };
    // Hands a held conversation on: queued again for the target (with `queue_score`, 0 = now),
    // the capacity freed, the transferring operator excluded for the exclusion window.
    Result<HolderCheck> Transfer(const ConversationId& id, const OperatorId& op, const TransferTarget& target,
                                 TimePoint now, Millis queue_score = 0);

    // On BotAnswered: resolve as the bot's if nothing else happens until `due`.
    Status ScheduleBotResolution(const ConversationId& id, TimePoint due);
    // Due conversations still in kBot become kResolved (by the bot), each returned to one caller.
    Result<std::vector<BotResolution>> ResolveIdleBots(TimePoint now, std::size_t max);
    // Conversations still queued (no operator ever took them) `waited` after they were queued are
    // resolved as abandoned (the customer left), each returned to one caller.
    Result<std::vector<BotResolution>> ResolveAbandoned(TimePoint now, std::chrono::milliseconds waited,
                                                        std::size_t max);
    Result<Census> TakeCensus();
    // How many conversations wait in the queue (one ZCARD).
    Result<long long> QueueLength();

    // True the first time it is called with `event_id` (within a day): makes effects of a
    // redelivered record happen once.
    Result<bool> FirstTime(const std::string& event_id);
    // The operator-facing transcript (JSON lines), appended by routing, last `transcript_lines` kept.
    Status AppendTranscript(const ConversationId& id, const std::vector<std::string>& lines);
    Result<std::vector<std::string>> Transcript(const ConversationId& id);

private:
    std::string Key(const std::string& kind, const std::string& id) const { return prefix_ + kind + id; }
    redis::Client& redis_;
    std::string prefix_;
    Options options_;
};

}  // namespace switchboard::conversation
