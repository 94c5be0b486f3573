#include "router.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <algorithm>

#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/labels.hpp"
#include "switchboard/events/publish.hpp"

namespace switchboard::routing {

namespace chat = switchboard::chat::v1;
using conversation::Millis;
using conversation::State;
using nlohmann::json;

namespace {

events::Channel ChannelOf(const std::string& name) {
    return events::ParseChannel(name).value_or(switchboard::common::v1::CHANNEL_UNSPECIFIED);
}

Millis ToMillis(Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

google::protobuf::Timestamp MillisToTimestamp(Millis ms) {
    google::protobuf::Timestamp ts;
    ts.set_seconds(ms / 1000);
    ts.set_nanos(static_cast<int>((ms % 1000) * 1000000));
    return ts;
}

const char* AuthorOf(chat::Responder r) {
    switch (r) {
        case chat::RESPONDER_BOT: return "bot";
        case chat::RESPONDER_OPERATOR: return "operator";
        default: return "customer";
    }
}

std::string Line(const char* author, const std::string& operator_id, const std::string& text, Millis at) {
    json j{{"author", author}, {"text", text}, {"at", at}};
    if (!operator_id.empty()) j["operator_id"] = operator_id;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

v1::InboxEvent InboxEventOf(v1::InboxEvent::Kind kind, const ConversationId& conv, const std::string& channel,
                            Millis at) {
    v1::InboxEvent e;
    e.set_kind(kind);
    e.set_conversation_id(conv.str());
    e.set_channel(ChannelOf(channel));
    *e.mutable_at() = MillisToTimestamp(at);
    return e;
}

}  // namespace

routing_policy::OperatorView ToView(const conversation::OperatorRecord& op, Millis now_ms) {
    routing_policy::OperatorView v;
    v.id = op.id.str();
    v.skills.channels = op.channels;
    v.skills.languages = op.languages;
    v.skills.topics = op.topics;
    v.capacity = op.capacity;
    v.load = op.load;
    v.channel_capacity = op.channel_capacity;
    v.channel_load = op.channel_load;
    v.idle_since_ms = op.idle_since;
    v.available = op.status == conversation::OperatorStatus::kOnline && op.presence_deadline > now_ms;
    return v;
}

routing_policy::ConversationView ToView(const conversation::QueuedRecord& q, Millis now_ms) {
    routing_policy::ConversationView v;
    v.id = q.id.str();
    v.channel = q.info.channel;
    v.language = q.info.language;
    v.topics = q.info.topics;
    v.priority = q.info.priority;
    v.queued_at_ms = q.info.queued_at;
    for (std::size_t i = 0; i < q.info.excluded.size(); ++i) {
        const Millis until = i < q.info.excluded_until.size() ? q.info.excluded_until[i] : 0;
        if (until > now_ms) v.excluded.push_back(q.info.excluded[i]);
    }
    v.target_operator = q.info.target_operator;
    v.required_topics = q.info.required_topics;
    return v;
}

Router::Router(conversation::Store& store, kafka::Producer& producer, const events::Naming& naming,
               const Clock& clock, RoutingProbe& probe, InboxNotifier& inbox, Options options)
    : store_(store),
      producer_(producer),
      naming_(naming),
      clock_(clock),
      probe_(probe),
      inbox_(inbox),
      options_(options),
      policy_(routing_policy::MakeDefaultPolicy(options.policy)) {}

Router::~Router() { Stop(); }

void Router::Start() {
    if (!options_.async_dispatch || dispatcher_.joinable()) return;
    dispatcher_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "sb-dispatch");  // for top -H and perf
        RunDispatcher();
    });
}

void Router::Stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (dispatcher_.joinable()) dispatcher_.join();
}

void Router::RequestDispatch(const char* after) {
    if (!options_.async_dispatch) {
        if (auto placed = Dispatch(); !placed) spdlog::warn("dispatch after {} failed: {}", after, placed.error().message);
        return;
    }
    // Coalesced: however many resolutions arrive meanwhile, the dispatcher runs one pass for them.
    {
        std::lock_guard lock(mu_);
        full_dispatch_ = true;
    }
    wake_.notify_one();
}

void Router::RunDispatcher() {
    constexpr std::size_t kMaxBatch = 500;
    std::unique_lock lock(mu_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !pending_.empty() || full_dispatch_; });
        if (stopping_) return;
        if (full_dispatch_) {
            full_dispatch_ = false;
            lock.unlock();
            if (auto placed = Dispatch(); !placed) spdlog::warn("dispatch failed: {}", placed.error().message);
            lock.lock();
            continue;
        }
        std::vector<ConversationId> batch;
        if (pending_.size() <= kMaxBatch) {
            batch.swap(pending_);
        } else {
            batch.assign(pending_.begin(), pending_.begin() + kMaxBatch);
            pending_.erase(pending_.begin(), pending_.begin() + kMaxBatch);
        }
        lock.unlock();
        // A failure leaves them queued: the sweeper's full Dispatch offers them.
        if (auto placed = DispatchFor(batch); !placed) {
            spdlog::warn("dispatch of {} new handoff(s) failed: {}", batch.size(), placed.error().message);
        }
        lock.lock();
    }
}

Millis Router::QueueScore(int priority, Millis now_ms) const {
    // The policy serves by priority + floor(waited / aging step), then FIFO: ordering by
    // queued_at − priority × step is the same order, so the queue's first page is served first.
    const auto step = options_.policy.aging_step_ms;
    return step > 0 ? now_ms - static_cast<Millis>(priority) * step : now_ms;
}

Status Router::HandleRecord(const kafka::Record& record) {
    if (record.topic == naming_.Inbound()) return HandleInbound(record);
    return HandleEvent(record);
}

void Router::PublishEvents(std::vector<events::Outgoing> records, const char* what) {
    for (auto& r : records) {
        producer_.Produce(r.topic, r.key, r.value, [this, what](Status s) {
            if (s.ok()) return;
            // The state change is already durable in Redis; the event is lost for its readers
            // (metrics, inbox). Counted and logged; an outbox would close this gap.
            probe_.OnPublishFailed();
            spdlog::error("could not publish a {} event: {}", what, s.error().message);
        });
    }
}

Status Router::HandleEvent(const kafka::Record& record) {
    chat::ConversationEvent ev;
    if (!ev.ParseFromString(record.value)) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable ConversationEvent");
    }
    const ConversationId conv(ev.envelope().conversation_id());
    if (!IsValidExternalId(conv.str())) {
        probe_.OnInvalidRecord();
        return Error::Fatal("ConversationEvent without a valid conversation id");
    }
    const std::string channel(events::ChannelName(ev.envelope().channel()));
    switch (ev.kind_case()) {
        case chat::ConversationEvent::kHandoffRequested: {
            const auto& h = ev.handoff_requested();
            conversation::Store::Handoff handoff;
            handoff.channel = channel;
            handoff.language = h.language();
            handoff.reason = std::string(events::HandoffReasonLabel(h.reason()));
            handoff.topics.assign(h.topics().begin(), h.topics().end());
            handoff.priority = h.priority();
            handoff.event_id = ev.envelope().event_id();
            for (const auto& e : h.transcript()) {
                handoff.transcript.push_back(Line(AuthorOf(e.author()), "", e.text(), events::ToUnixMillis(e.at())));
            }
            const auto now = clock_.Now();
            handoff.queue_score = QueueScore(h.priority(), ToMillis(now));
            auto queued = store_.Enqueue(conv, handoff, now);
            if (!queued) return queued.error();
            if (*queued != conversation::Store::EnqueueOutcome::kQueued) return Status::Ok();
            probe_.OnHandoffQueued();
            spdlog::info("conversation {} queued for an operator ({}, language '{}', priority {})", conv.str(),
                         handoff.reason, handoff.language, handoff.priority);
            if (options_.async_dispatch) {
                {
                    std::lock_guard lock(mu_);
                    pending_.push_back(conv);
                }
                wake_.notify_one();
                return Status::Ok();
            }
            auto placed = DispatchFor({conv});
            if (!placed) return placed.error();
            return Status::Ok();
        }
        case chat::ConversationEvent::kBotAnswered:
            if (ev.bot_answered().article_id().empty()) return Status::Ok();  // small talk resolves nothing
            return store_.ScheduleBotResolution(conv, clock_.Now() + options_.bot_idle_resolve);
        default:
            return Status::Ok();
    }
}

Status Router::HandleInbound(const kafka::Record& record) {
    chat::InboundMessage in;
    if (!in.ParseFromString(record.value)) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable InboundMessage");
    }
    const ConversationId conv(in.envelope().conversation_id());
    if (!IsValidExternalId(conv.str())) {
        probe_.OnInvalidRecord();
        return Error::Fatal("InboundMessage without a valid conversation id");
    }
    auto info = store_.Get(conv);
    if (!info) return info.error();
    if (info->state != State::kOffered && info->state != State::kAssigned) {
        // A bot turn: the assistant's handoff carries the transcript if a human is needed. A queued
        // conversation's later messages are in its transcript only once it is handed off again.
        return Status::Ok();
    }
    auto first = store_.FirstTime(in.envelope().event_id());
    if (!first) return first.error();
    if (!*first) return Status::Ok();
    std::string text = in.text();
    for (const auto& a : in.attachments()) text += (text.empty() ? "[" : " [") + a.kind() + "]";
    const Millis at = events::ToUnixMillis(in.received_at());
    if (Status s = store_.AppendTranscript(conv, {Line("customer", "", text, at)}); !s.ok()) return s;
    auto e = InboxEventOf(v1::InboxEvent::KIND_CUSTOMER_MESSAGE, conv, info->channel, at);
    e.set_text(text);
    inbox_.Notify(info->operator_id, e);
    return Status::Ok();
}

Result<Router::Placement> Router::Place(const conversation::Store::Snapshot& snap) {
    const auto now = clock_.Now();
    const Millis now_ms = ToMillis(now);
    std::vector<routing_policy::OperatorView> ops;
    ops.reserve(snap.operators.size());
    long long free = 0;
    for (const auto& o : snap.operators) {
        ops.push_back(ToView(o, now_ms));
        if (ops.back().available) free += std::max(0, o.capacity - o.load);
    }
    Placement out;
    out.free = free;
    for (const auto& q : snap.queue) out.left.push_back(q.id);
    if (snap.queue.empty() || free <= 0) return out;
    std::vector<routing_policy::ConversationView> queue;
    queue.reserve(snap.queue.size());
    for (const auto& q : snap.queue) queue.push_back(ToView(q, now_ms));

    const auto plan = routing_policy::PlanAssignments(*policy_, queue, std::move(ops), now_ms);
    if (plan.empty()) return out;
    std::vector<std::pair<ConversationId, OperatorId>> offers;
    offers.reserve(plan.size());
    for (const auto& [index, pick] : plan) offers.emplace_back(snap.queue[index].id, OperatorId(pick.operator_id));
    auto results = store_.OfferMany(offers, now, options_.offer_timeout);
    if (!results) return results.error();

    std::vector<events::Outgoing> records;
    std::vector<std::pair<OperatorId, v1::InboxEvent>> notes;
    std::size_t placed = 0;
    std::vector<ConversationId> placed_ids;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& r = (*results)[i];
        const auto& [conv, op] = offers[i];
        const auto& why = plan[i].second.why;
        if (r.outcome == conversation::Store::OfferOutcome::kGone ||
            r.outcome == conversation::Store::OfferOutcome::kUnavailable) {
            probe_.OnDispatchConflict();
            ++out.conflicts;
            continue;
        }
        ++placed;
        placed_ids.push_back(conv);
        out.taken.emplace_back(op, r.channel);
        const bool assigned = r.outcome == conversation::Store::OfferOutcome::kAssigned;
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv.str(), ChannelOf(r.channel), "routing", "", now);
        if (assigned) {
            ev.mutable_operator_assigned()->set_operator_id(op.str());
            ev.mutable_operator_assigned()->set_operator_name(r.operator_name);
            probe_.OnAssigned();
            spdlog::info("conversation {} assigned to operator {} ({})", conv.str(), op.str(), why);
        } else {
            ev.mutable_conversation_offered()->set_operator_id(op.str());
            ev.mutable_conversation_offered()->set_operator_name(r.operator_name);
            *ev.mutable_conversation_offered()->mutable_deadline() = MillisToTimestamp(r.deadline);
            probe_.OnOffered();
            spdlog::info("conversation {} offered to operator {} until {} ({})", conv.str(), op.str(), r.deadline, why);
        }
        records.push_back(events::Encode(naming_.Events(), conv.str(), ev));
        auto note = InboxEventOf(assigned ? v1::InboxEvent::KIND_ASSIGNED : v1::InboxEvent::KIND_OFFERED, conv,
                                 r.channel, now_ms);
        if (!assigned) *note.mutable_offer_deadline() = MillisToTimestamp(r.deadline);
        notes.emplace_back(op, std::move(note));
    }
    // The events first: each inbox notification is a Redis round trip, and a pass places up to a
    // few hundred conversations; their events waited for all of them.
    PublishEvents(std::move(records), "assignment");
    for (const auto& [op, note] : notes) inbox_.Notify(op, note);
    out.placed = placed;
    out.free = free - static_cast<long long>(placed);
    std::erase_if(out.left, [&](const ConversationId& id) {
        return std::find(placed_ids.begin(), placed_ids.end(), id) != placed_ids.end();
    });
    return out;
}

std::optional<std::vector<conversation::OperatorRecord>> Router::CachedOperators() {
    if (options_.operator_cache_ttl.count() <= 0) return std::nullopt;
    std::lock_guard lock(cache_mu_);
    if (!cache_valid_ || std::chrono::steady_clock::now() - cached_at_ > options_.operator_cache_ttl) {
        return std::nullopt;
    }
    return cached_ops_;
}

void Router::CacheOperators(std::vector<conversation::OperatorRecord> ops) {
    if (options_.operator_cache_ttl.count() <= 0) return;
    std::lock_guard lock(cache_mu_);
    cached_ops_ = std::move(ops);
    cached_at_ = std::chrono::steady_clock::now();
    cache_valid_ = true;
}

void Router::UpdateCache(const Placement& p, bool invalidate) {
    if (options_.operator_cache_ttl.count() <= 0) return;
    std::lock_guard lock(cache_mu_);
    if (invalidate) {
        cache_valid_ = false;
        return;
    }
    const Millis now_ms = ToMillis(clock_.Now());
    for (const auto& [op, channel] : p.taken) {
        for (auto& o : cached_ops_) {
            if (o.id != op) continue;
            ++o.load;
            o.idle_since = now_ms;
            bool found = false;
            for (auto& [ch, n] : o.channel_load) {
                if (ch == channel) {
                    ++n;
                    found = true;
                }
            }
            if (!found && !channel.empty()) o.channel_load.emplace_back(channel, 1);
        }
    }
}

Result<std::size_t> Router::DispatchFor(const std::vector<ConversationId>& conversations) {
    if (conversations.empty()) return std::size_t{0};
    const auto started = std::chrono::steady_clock::now();
    std::vector<ConversationId> ids = conversations;
    std::size_t total = 0;
    for (int attempt = 0; attempt < 2 && !ids.empty(); ++attempt) {
        auto cached = attempt == 0 ? CachedOperators() : std::nullopt;
        auto snap = store_.TakeSnapshotFor(ids, !cached.has_value());
        if (!snap) return snap.error();
        if (cached) {
            snap->operators = std::move(*cached);
        } else {
            CacheOperators(snap->operators);
        }
        auto placed = Place(*snap);
        if (!placed) return placed.error();
        total += placed->placed;
        // A conflict on cached operators: read them afresh and try the rest once more.
        const bool retry = cached.has_value() && placed->conflicts > 0;
        UpdateCache(*placed, retry);
        if (!retry) break;
        ids = placed->left;
    }
    probe_.OnDispatch(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), total);
    return total;
}

Result<std::size_t> Router::Dispatch() {
    const auto started = std::chrono::steady_clock::now();
    std::size_t total = 0, offset = 0;
    for (std::size_t page = 0; page < options_.max_pages; ++page) {
        auto snap = store_.TakeSnapshot(options_.dispatch_batch, offset);
        if (!snap) return snap.error();
        const std::size_t seen = snap->queue.size();
        CacheOperators(snap->operators);
        auto placed = Place(*snap);
        if (!placed) return placed.error();
        UpdateCache(*placed, placed->conflicts > 0);
        total += placed->placed;
        // Stop at the end of the queue, or once nobody has room; else look past the ones that
        // stayed (placed ones left the queue, so the next page starts after the rest).
        if (seen < options_.dispatch_batch || placed->free <= 0) break;
        offset += seen - placed->placed;
    }
    probe_.OnDispatch(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), total);
    return total;
}

void Router::OffersEnded(const std::vector<conversation::EndedOffer>& ended, std::vector<events::Outgoing>& records) {
    const auto now = clock_.Now();
    for (const auto& e : ended) {
        const std::string reason(conversation::OfferEndName(e.why));
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), e.conversation.str(), ChannelOf(e.channel), "routing",
                             "", now);
        ev.mutable_offer_ended()->set_operator_id(e.op.str());
        ev.mutable_offer_ended()->set_reason(reason);
        records.push_back(events::Encode(naming_.Events(), e.conversation.str(), ev));
        probe_.OnOfferEnded(reason);
        spdlog::info("offer of conversation {} to operator {} ended ({}): back in the queue", e.conversation.str(),
                     e.op.str(), reason);
        if (e.why != conversation::OfferEnd::kDeclined) {
            inbox_.Notify(e.op, InboxEventOf(v1::InboxEvent::KIND_OFFER_ENDED, e.conversation, e.channel, ToMillis(now)));
        }
    }
}

Status Router::Sweep() {
    const auto now = clock_.Now();
    std::vector<events::Outgoing> records;
    auto expired = store_.ExpireOffers(now, 500);
    if (!expired) return expired.error();
    OffersEnded(*expired, records);

    auto lost = store_.ExpirePresence(now, 100);
    if (!lost) return lost.error();
    for (const auto& l : *lost) {
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), "operator:" + l.op.str(),
                             switchboard::common::v1::CHANNEL_UNSPECIFIED, "routing", "", now);
        ev.mutable_operator_status_changed()->set_operator_id(l.op.str());
        ev.mutable_operator_status_changed()->set_status("offline");
        ev.mutable_operator_status_changed()->set_reason("heartbeat_timeout");
        records.push_back(events::Encode(naming_.Events(), "operator:" + l.op.str(), ev));
        probe_.OnOperatorLost();
        spdlog::warn("operator {} stopped heartbeating: offline, {} pending offer(s) move on", l.op.str(),
                     l.offers.size());
        OffersEnded(l.offers, records);
    }

    auto due = store_.ResolveIdleBots(now, 500);
    if (!due) return due.error();
    for (const auto& r : *due) {
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), r.conversation.str(), ChannelOf(r.channel), "routing",
                             "", now);
        ev.mutable_conversation_resolved()->set_resolved_by(chat::RESPONDER_BOT);
        ev.mutable_conversation_resolved()->set_how("idle");
        records.push_back(events::Encode(naming_.Events(), r.conversation.str(), ev));
        probe_.OnResolvedByBot();
        spdlog::info("conversation {} resolved by the assistant (idle)", r.conversation.str());
    }
    if (options_.abandon_after.count() > 0) {
        auto gone = store_.ResolveAbandoned(now, options_.abandon_after, 500);
        if (!gone) return gone.error();
        for (const auto& r : *gone) {
            chat::ConversationEvent ev;
            events::FillEnvelope(ev.mutable_envelope(), NewUuid(), r.conversation.str(), ChannelOf(r.channel),
                                 "routing", "", now);
            ev.mutable_conversation_resolved()->set_resolved_by(chat::RESPONDER_UNSPECIFIED);
            ev.mutable_conversation_resolved()->set_how("abandoned");
            records.push_back(events::Encode(naming_.Events(), r.conversation.str(), ev));
            probe_.OnAbandoned();
            spdlog::info("conversation {} abandoned: no operator took it within {} s", r.conversation.str(),
                         std::chrono::duration_cast<std::chrono::seconds>(options_.abandon_after).count());
        }
    }
    PublishEvents(std::move(records), "sweep");
    auto placed = Dispatch();
    if (!placed) return placed.error();
    return Status::Ok();
}

Result<std::vector<conversation::EndedOffer>> Router::SetStatus(const conversation::OperatorProfile& profile,
                                                                conversation::OperatorStatus status) {
    const auto now = clock_.Now();
    auto ended = store_.SetOperator(profile, status, now);
    if (!ended) return ended.error();
    const std::string status_name(conversation::StatusName(status));
    std::vector<events::Outgoing> records;
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), NewUuid(), "operator:" + profile.id.str(),
                         switchboard::common::v1::CHANNEL_UNSPECIFIED, "routing", "", now);
    ev.mutable_operator_status_changed()->set_operator_id(profile.id.str());
    ev.mutable_operator_status_changed()->set_status(status_name);
    ev.mutable_operator_status_changed()->set_capacity(profile.capacity);
    ev.mutable_operator_status_changed()->set_reason("set_status");
    records.push_back(events::Encode(naming_.Events(), "operator:" + profile.id.str(), ev));
    OffersEnded(*ended, records);
    spdlog::info("operator {} is now {}", profile.id.str(), status_name);
    PublishEvents(std::move(records), "operator status");
    if (status == conversation::OperatorStatus::kOnline || !ended->empty()) {
        RequestDispatch("a status change");
    }
    return ended;
}

Result<std::optional<Millis>> Router::Heartbeat(const OperatorId& op) { return store_.Heartbeat(op, clock_.Now()); }

Router::Outcome Router::Accept(const OperatorId& op, const ConversationId& conv) {
    const auto now = clock_.Now();
    auto r = store_.Accept(conv, op, now);
    if (!r) return {ActionError::kUnavailable, r.error().message, ""};
    if (*r == conversation::Store::AcceptOutcome::kNotOffered) {
        return {ActionError::kNotOffered, "the conversation is not offered to you", ""};
    }
    if (*r == conversation::Store::AcceptOutcome::kExpired) {
        return {ActionError::kExpired, "the offer expired; the conversation goes to the next operator", ""};
    }
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, info.error().message, ""};
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), DerivedId("e-", "accepted:" + conv.str() + ":" + op.str() + ":" +
                                                                     std::to_string(info->queued_at)),
                         conv.str(), ChannelOf(info->channel), "routing", "", now);
    ev.mutable_operator_assigned()->set_operator_id(op.str());
    ev.mutable_operator_assigned()->set_operator_name(info->operator_name);
    probe_.OnAssigned();
    spdlog::info("conversation {} accepted by operator {}", conv.str(), op.str());
    PublishEvents({events::Encode(naming_.Events(), conv.str(), ev)}, "assignment");
    return {};
}

Router::Outcome Router::Decline(const OperatorId& op, const ConversationId& conv) {
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, info.error().message, ""};
    auto r = store_.Decline(conv, op, clock_.Now());
    if (!r) return {ActionError::kUnavailable, r.error().message, ""};
    if (!*r) return {ActionError::kNotOffered, "the conversation is not offered to you", ""};
    std::vector<events::Outgoing> records;
    OffersEnded({{conv, op, info->channel, conversation::OfferEnd::kDeclined}}, records);
    PublishEvents(std::move(records), "offer declined");
    RequestDispatch("a decline");
    return {};
}

Router::Outcome Router::Reply(const OperatorId& op, const ConversationId& conv, const std::string& text) {
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, info.error().message, ""};
    if (info->state != State::kAssigned) return {ActionError::kNotAssigned, "conversation is not assigned to an operator", ""};
    if (info->operator_id != op) return {ActionError::kOtherOperator, "conversation belongs to another operator", ""};
    const auto channel = ChannelOf(info->channel);
    const auto now = clock_.Now();
    const std::string reply_id = "o-" + NewUuid();

    chat::OutboundMessage out;
    events::FillEnvelope(out.mutable_envelope(), DerivedId("e-", reply_id), conv.str(), channel, "routing", "", now);
    out.set_reply_id(reply_id);
    out.set_text(text);
    out.set_responder(chat::RESPONDER_OPERATOR);
    out.set_operator_id(op.str());
    out.set_operator_name(info->operator_name);
    out.set_kind(chat::OUTBOUND_KIND_REPLY);

    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv.str(), channel, "routing", "", now);
    ev.mutable_operator_replied()->set_operator_id(op.str());
    ev.mutable_operator_replied()->set_reply_id(reply_id);

    Status s = events::PublishAll(producer_, {events::Encode(naming_.Outbound(channel), conv.str(), out),
                                              events::Encode(naming_.Events(), conv.str(), ev)});
    if (!s.ok()) {
        probe_.OnPublishFailed();
        return {ActionError::kUnavailable, s.error().message, ""};
    }
    if (Status t = store_.AppendTranscript(conv, {Line("operator", op.str(), text, ToMillis(now))}); !t.ok()) {
        spdlog::warn("conversation {}: reply sent but not added to the transcript: {}", conv.str(), t.error().message);
    }
    probe_.OnOperatorReply();
    return {ActionError::kNone, "", reply_id};
}

namespace {
Router::Outcome HolderError(conversation::Store::HolderCheck c) {
    if (c == conversation::Store::HolderCheck::kNotAssigned) {
        return {Router::ActionError::kNotAssigned, "conversation is not assigned to an operator", ""};
    }
    return {Router::ActionError::kOtherOperator, "conversation belongs to another operator", ""};
}
}  // namespace

Router::Outcome Router::Resolve(const OperatorId& op, const ConversationId& conv) {
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, info.error().message, ""};
    const auto now = clock_.Now();
    auto outcome = store_.ResolveByOperator(conv, op, now);
    if (!outcome) return {ActionError::kUnavailable, outcome.error().message, ""};
    if (*outcome != conversation::Store::HolderCheck::kOk) return HolderError(*outcome);
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv.str(), ChannelOf(info->channel), "routing", "", now);
    ev.mutable_conversation_resolved()->set_resolved_by(chat::RESPONDER_OPERATOR);
    ev.mutable_conversation_resolved()->set_how("operator");
    ev.mutable_conversation_resolved()->set_operator_id(op.str());
    probe_.OnResolvedByOperator();
    spdlog::info("conversation {} resolved by operator {}", conv.str(), op.str());
    PublishEvents({events::Encode(naming_.Events(), conv.str(), ev)}, "resolution");
    // Operators resolve about as often as handoffs arrive: a full Dispatch (every online operator
    // and a queue page read from Redis) after each one cost more than routing the handoffs
    // themselves, and raced the other replica's. New handoffs are dispatched as they arrive, so
    // the freed capacity matters only to conversations waiting in the queue (of any replica): one
    // ZCARD says whether there are any. On an error, dispatch anyway.
    if (auto queued = store_.QueueLength(); !queued || *queued > 0) RequestDispatch("a resolution");
    return {};
}

Router::Outcome Router::Transfer(const OperatorId& op, const ConversationId& conv,
                                 const conversation::Store::TransferTarget& to, const std::string& note) {
    if (to.to_operator.empty() == to.to_topics.empty()) {
        return {ActionError::kInvalid, "transfer to exactly one of: an operator, a skill queue (topics)", ""};
    }
    if (to.to_operator == op) return {ActionError::kInvalid, "cannot transfer a conversation to yourself", ""};
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, info.error().message, ""};
    const auto now = clock_.Now();
    auto outcome = store_.Transfer(conv, op, to, now, QueueScore(info->priority, ToMillis(now)));
    if (!outcome) return {ActionError::kUnavailable, outcome.error().message, ""};
    if (*outcome != conversation::Store::HolderCheck::kOk) return HolderError(*outcome);
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv.str(), ChannelOf(info->channel), "routing", "", now);
    auto* t = ev.mutable_conversation_transferred();
    t->set_from_operator_id(op.str());
    t->set_to_operator_id(to.to_operator.str());
    for (const auto& topic : to.to_topics) t->add_to_topics(topic);
    t->set_note(note);
    probe_.OnTransferred();
    spdlog::info("conversation {} transferred by operator {} to {}", conv.str(), op.str(),
                 to.to_operator.empty() ? "a skill queue" : "operator " + to.to_operator.str());
    if (!note.empty()) {
        if (Status s = store_.AppendTranscript(conv, {Line("operator", op.str(), "(transfer note) " + note, ToMillis(now))});
            !s.ok()) {
            spdlog::warn("conversation {}: transfer note not added to the transcript: {}", conv.str(), s.error().message);
        }
    }
    PublishEvents({events::Encode(naming_.Events(), conv.str(), ev)}, "transfer");
    inbox_.Notify(op, InboxEventOf(v1::InboxEvent::KIND_TRANSFERRED_AWAY, conv, info->channel, ToMillis(now)));
    RequestDispatch("a transfer");
    return {};
}

Result<std::vector<conversation::QueuedRecord>> Router::ListQueue(std::size_t limit) {
    auto snap = store_.TakeSnapshot(limit);
    if (!snap) return snap.error();
    std::vector<routing_policy::ConversationView> views;
    views.reserve(snap->queue.size());
    for (const auto& q : snap->queue) views.push_back(ToView(q, ToMillis(clock_.Now())));
    std::vector<conversation::QueuedRecord> out;
    out.reserve(views.size());
    for (std::size_t i : policy_->Order(views, ToMillis(clock_.Now()))) out.push_back(snap->queue[i]);
    return out;
}

Result<std::vector<v1::TranscriptLine>> Router::Transcript(const ConversationId& conv) {
    auto lines = store_.Transcript(conv);
    if (!lines) return lines.error();
    std::vector<v1::TranscriptLine> out;
    for (const auto& l : *lines) {
        const json j = json::parse(l, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        v1::TranscriptLine t;
        t.set_author(j.value("author", ""));
        t.set_operator_id(j.value("operator_id", ""));
        t.set_text(j.value("text", ""));
        *t.mutable_at() = MillisToTimestamp(j.value("at", Millis{0}));
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace switchboard::routing
