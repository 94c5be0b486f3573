#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Operator-assignment policy: which operator a waiting conversation is offered to, and in which
// order the queue is served. Pure decision logic: no I/O, no clock (time is passed in as `now_ms`,
// milliseconds on the same clock as the `*_ms` fields), no state between calls. The routing service
// owns the state (operators' load, offers, the queue) and asks the policy each time it changes.
//
// Default rules (MakeDefaultPolicy; see also README.md):
//
// Matching. Channel, language and topic strings are compared ASCII-case-insensitively ("EN" == "en",
// "Web" == "web"); a language is compared by its primary subtag ("en-US" == "en" == "en_GB").
// An empty skill list means "any". Operator and conversation ids are compared exactly.
//
// Eligible(conv, op, now) holds iff all of:
//   1. op.available;
//   2. op.load < op.capacity (capacity <= 0 takes nothing);
//   3. if op.channel_capacity lists conv.channel: that channel's op.channel_load (0 if not listed)
//      is below it;
//   4. op.id is not in conv.excluded;
//   5. conv.target_operator is empty or equals op.id (a transfer to an operator: only them, and
//      still only if 1-4 and 6-8 hold);
//   6. op.skills.channels is empty or contains conv.channel (an empty conv.channel matches anyone);
//   7. the language matches: op.skills.languages is empty, or conv.language is empty (unknown),
//      or the conversation has waited >= widen_language_after_ms, or a primary subtag is equal;
//   8. the required topics match: op.skills.topics is empty, or every conv.required_topics entry
//      is in it, or the conversation has waited >= widen_topics_after_ms.
// "Waited" is now_ms - conv.queued_at_ms (0 if negative); the routing service resets queued_at_ms
// when a conversation is re-queued by a transfer if it wants the widening to start over.
//
// Choose(conv, ops, now) returns the best eligible operator, ranked by:
//   1. topic matches, descending: how many of conv.topics and conv.required_topics (deduplicated)
//      are listed in op.skills.topics (an operator without topics has 0: specialists first);
//   2. load / capacity, ascending (exact integer comparison; 2/10 before 1/3);
//   3. idle_since_ms, ascending (longest idle first);
//   4. id, ascending (so the answer does not depend on the order of `operators`).
//
// Order(queue, now) sorts by effective priority descending, where effective priority is
// priority + floor(waited / aging_step_ms) (no aging if aging_step_ms <= 0); then queued_at_ms
// ascending (FIFO); then id; then index. A fresh VIP (priority 10) is therefore overtaken by a
// normal conversation (priority 0) that has waited 10 aging steps.
namespace switchboard::routing_policy {

// What an operator can handle. An empty list means "any".
struct Skills {
    std::vector<std::string> channels;   // "web", "telegram", "whatsapp", "email"
    std::vector<std::string> languages;  // BCP 47-ish: "en", "ru", "en-US"
    std::vector<std::string> topics;     // knowledge-base tags, e.g. "billing"
};

// A snapshot of one operator, built by the routing service from its state. Ids must be unique
// within one `operators` vector.
struct OperatorView {
    std::string id;
    Skills skills;
    int capacity = 0;  // max concurrent conversations (held + offered)
    int load = 0;      // conversations held or offered now
    // Optional per-channel caps, e.g. {"whatsapp", 1}; a channel not listed is limited only by
    // `capacity`. channel_load holds the current per-channel counts (missing = 0).
    std::vector<std::pair<std::string, int>> channel_capacity;
    std::vector<std::pair<std::string, int>> channel_load;
    std::int64_t idle_since_ms = 0;  // last time they were given a conversation (or came online)
    bool available = false;          // online and heartbeating
};

// A snapshot of one conversation waiting for an operator.
struct ConversationView {
    std::string id;
    std::string channel;
    std::string language;             // may be empty (unknown)
    std::vector<std::string> topics;  // preferred (from the handoff's best candidates)
    int priority = 0;                 // higher first (VIP = e.g. 10)
    std::int64_t queued_at_ms = 0;
    std::vector<std::string> excluded;         // declined / let the offer expire / transferred away
    std::string target_operator;               // transfer to a specific operator: only them
    std::vector<std::string> required_topics;  // transfer to a skill queue: topics become required
};

struct PolicyOptions {
    // After this wait the language is no longer required. Negative = never widen.
    std::int64_t widen_language_after_ms = 120000;
    // After this wait a skill queue's required topics only count as preferred. Negative = never.
    std::int64_t widen_topics_after_ms = 60000;
    // Every full step of waiting adds +1 effective priority. <= 0 = no aging.
    std::int64_t aging_step_ms = 60000;
};

// The operator to offer a conversation to. `why` is a short human-readable reason for logs, e.g.
// "topics 1/2, load 1/3, idle 42s, 3 of 50 eligible, language widened"; its format is not a contract.
struct Pick {
    std::string operator_id;
    std::string why;
};

// Thread-safety: implementations are immutable after construction; every method is const and may
// be called concurrently. Errors: none; malformed views (negative loads, duplicate ids) give
// unspecified but safe answers.
class Policy {
public:
    virtual ~Policy() = default;

    // The operator to offer `conv` to, or nullopt if no available operator may take it now.
    // O(operators × skills per operator).
    virtual std::optional<Pick> Choose(const ConversationView& conv,
                                       const std::vector<OperatorView>& operators,
                                       std::int64_t now_ms) const = 0;

    // Indices of `queue` in the order they should be served (effective priority incl. aging, then
    // FIFO). A permutation of 0..queue.size()-1. O(q log q).
    virtual std::vector<std::size_t> Order(const std::vector<ConversationView>& queue,
                                           std::int64_t now_ms) const = 0;

    // Whether `op` may take `conv` at all now (capacity, availability, required skills with
    // escalation, exclusions).
    virtual bool Eligible(const ConversationView& conv, const OperatorView& op,
                          std::int64_t now_ms) const = 0;
};

// The rules documented at the top of this file.
std::unique_ptr<Policy> MakeDefaultPolicy(PolicyOptions options = {});

// Plans a batch: serves `queue` in policy.Order(), choosing for each and counting each choice
// against the chosen operator (load + 1, that channel's load + 1, idle_since_ms = now_ms), so that
// one operator is never given more than their free capacity in one batch and equal operators take
// turns. Returns (queue index, pick) in serving order; conversations nobody can take are left out.
// Stops early once no available operator has free capacity (so `policy` must honour capacity).
// Deterministic for a deterministic policy. O(q log q + q × operators) for the default policy.
std::vector<std::pair<std::size_t, Pick>> PlanAssignments(const Policy& policy,
                                                          const std::vector<ConversationView>& queue,
                                                          std::vector<OperatorView> operators,
                                                          std::int64_t now_ms);

}  // namespace switchboard::routing_policy
