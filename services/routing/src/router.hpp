#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "routing_probe.hpp"
#include "switchboard/conversation/store.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/events/publish.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/routing/v1/routing.pb.h"
#include "switchboard/routing_policy/policy.hpp"

namespace switchboard::routing {

// Where the router tells an operator's inbox what just happened to them (offers, assignments,
// offers withdrawn, transfers away, customer messages). The service publishes on Redis pub/sub so
// the replica holding the operator's StreamAssignments stream delivers it; tests record.
// Best effort: the inbox also reads the pending state when its stream opens.
class InboxNotifier {
public:
    virtual ~InboxNotifier() = default;
    virtual void Notify(const OperatorId& op, const v1::InboxEvent& event) = 0;
};

// Owns the conversation lifecycle after the assistant's handoff: queues it, has the policy pick
// an operator for it, offers it (or assigns it at once to an auto-accepting operator), moves it on
// when an offer is declined or times out or its operator goes silent, carries operators' replies,
// transfers and resolutions, and resolves idle bot conversations. Every transition is an event on
// chat.events.v1. State lives in Redis (conversation::Store); decisions are made by the pure
// routing_policy on a snapshot and applied by atomic scripts that re-check every rule, so any
// number of replicas run at once.
//
// Thread-safety: all methods may be called concurrently (consumer thread, gRPC threads, sweeper).
class Router {
public:
    struct Options {
        std::chrono::milliseconds bot_idle_resolve{std::chrono::minutes(10)};
        std::chrono::milliseconds offer_timeout{std::chrono::seconds(30)};
        std::size_t dispatch_batch = 200;  // queued conversations considered per pass
        // A conversation no operator took within this time is resolved as abandoned (0 = never).
        std::chrono::milliseconds abandon_after{std::chrono::hours(1)};
        routing_policy::PolicyOptions policy;
        // Handoffs are offered by a dispatcher thread (Start/Stop) that batches whatever arrived
        // meanwhile, instead of inline on the consumer thread. The service turns it on.
        bool async_dispatch = false;
        std::size_t max_pages = 10;  // pages of dispatch_batch a full Dispatch walks past unservable ones
        // New handoffs are planned on operators read at most this long ago (0 = always read them),
        // with loads updated from the router's own placements. Offers re-check everything in Redis,
        // so a stale view costs a conflict and one retry on fresh data, never an invariant.
        std::chrono::milliseconds operator_cache_ttl{0};
    };

    Router(conversation::Store& store, kafka::Producer& producer, const events::Naming& naming, const Clock& clock,
           RoutingProbe& probe, InboxNotifier& inbox, Options options);
    ~Router();
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    // The dispatcher thread of async_dispatch (no-ops otherwise). Stop offers nothing more.
    void Start();
    void Stop();

    // chat.events.v1 (HandoffRequested → queue + dispatch; BotAnswered → schedule the bot's
    // resolution) and chat.inbound.v1 (a customer message in a conversation a human has or waits
    // for → transcript + the operator's inbox).
    Status HandleRecord(const kafka::Record& record);

    // Offers queued conversations to the operators the policy picks, as capacity allows, page by
    // page (first to be served first) so unservable ones at the head do not block the rest.
    // Returns how many were offered or assigned.
    Result<std::size_t> Dispatch();
    // The same for these conversations only (the ones just handed off).
    Result<std::size_t> DispatchFor(const std::vector<ConversationId>& conversations);
    // Expired offers and silent operators' offers back to the queue, idle bot conversations
    // resolved, then Dispatch.
    Status Sweep();

    // ---- operator actions (the caller authenticated `op`) ----
    enum class ActionError { kNone, kInvalid, kNotAssigned, kOtherOperator, kNotOffered, kExpired, kUnavailable };
    struct Outcome {
        ActionError error = ActionError::kNone;
        std::string message;
        std::string reply_id;  // Reply
    };
    Result<std::vector<conversation::EndedOffer>> SetStatus(const conversation::OperatorProfile& profile,
                                                            conversation::OperatorStatus status);
    // The new presence deadline; nullopt if the operator is unknown or chose away/offline.
    Result<std::optional<conversation::Millis>> Heartbeat(const OperatorId& op);
    Outcome Accept(const OperatorId& op, const ConversationId& conv);
    Outcome Decline(const OperatorId& op, const ConversationId& conv);
    Outcome Reply(const OperatorId& op, const ConversationId& conv, const std::string& text);
    Outcome Resolve(const OperatorId& op, const ConversationId& conv);
    Outcome Transfer(const OperatorId& op, const ConversationId& conv, const conversation::Store::TransferTarget& to,
                     const std::string& note);

    // Queued conversations in the order they will be served.
    Result<std::vector<conversation::QueuedRecord>> ListQueue(std::size_t limit);
    Result<conversation::ConversationInfo> Get(const ConversationId& conv) { return store_.Get(conv); }
    // The operator-facing transcript, oldest first.
    Result<std::vector<v1::TranscriptLine>> Transcript(const ConversationId& conv);
    Result<conversation::Store::Inbox> Inbox(const OperatorId& op) { return store_.OperatorInbox(op); }

private:
    Status HandleEvent(const kafka::Record& record);
    Status HandleInbound(const kafka::Record& record);
    // Produces without waiting for the acks (state is already in Redis; failures are counted).
    void PublishEvents(std::vector<events::Outgoing> records, const char* what);
    void OffersEnded(const std::vector<conversation::EndedOffer>& ended, std::vector<events::Outgoing>& records);
    struct Placement {
        std::size_t placed = 0;
        long long free = 0;  // capacity left on available operators, as the snapshot saw it
        std::size_t conflicts = 0;
        std::vector<std::pair<OperatorId, std::string>> taken;  // operator, channel of each placement
        std::vector<ConversationId> left;                      // queued conversations not placed
    };
    // Plans and applies offers for a snapshot.
    Result<Placement> Place(const conversation::Store::Snapshot& snap);
    // The operators for a DispatchFor pass: the cache if fresh (else none: read them).
    std::optional<std::vector<conversation::OperatorRecord>> CachedOperators();
    void CacheOperators(std::vector<conversation::OperatorRecord> ops);
    void UpdateCache(const Placement& p, bool invalidate);
    conversation::Millis QueueScore(int priority, conversation::Millis now_ms) const;
    void RunDispatcher();
    // Capacity freed (resolve, decline, transfer, an operator online): a full Dispatch, inline, or
    // coalesced on the dispatcher thread with async_dispatch.
    void RequestDispatch(const char* after);

    conversation::Store& store_;
    kafka::Producer& producer_;
    const events::Naming& naming_;
    const Clock& clock_;
    RoutingProbe& probe_;
    InboxNotifier& inbox_;
    Options options_;
    std::unique_ptr<routing_policy::Policy> policy_;

    std::mutex mu_;
    std::condition_variable wake_;
    std::vector<ConversationId> pending_;
    bool stopping_ = false;
    bool full_dispatch_ = false;

    std::mutex cache_mu_;
    std::vector<conversation::OperatorRecord> cached_ops_;
    std::chrono::steady_clock::time_point cached_at_{};
    bool cache_valid_ = false;
    std::thread dispatcher_;
};

// Policy inputs from the store's records.
routing_policy::OperatorView ToView(const conversation::OperatorRecord& op, conversation::Millis now_ms);
// Exclusions that lapsed by `now_ms` are left out.
routing_policy::ConversationView ToView(const conversation::QueuedRecord& conv, conversation::Millis now_ms);

}  // namespace switchboard::routing
