#include "router.hpp"

#include <spdlog/spdlog.h>

#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/publish.hpp"

namespace switchboard::routing {

namespace chat = switchboard::chat::v1;

namespace {
events::Channel ChannelOf(const std::string& name) {
    return events::ParseChannel(name).value_or(switchboard::common::v1::CHANNEL_UNSPECIFIED);
}
}  // namespace

Router::Router(conversation::Store& store, kafka::Producer& producer, const events::Naming& naming,
               const Clock& clock, RoutingProbe& probe, Options options)
    : store_(store), producer_(producer), naming_(naming), clock_(clock), probe_(probe), options_(options) {}

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
            auto queued = store_.Enqueue(conv, channel, clock_.Now());
            if (!queued) return queued.error();
            if (*queued) {
                probe_.OnHandoffQueued();
                spdlog::info("conversation {} queued for an operator", conv.str());
            }
            auto assigned = AssignQueued();
            if (!assigned) return assigned.error();
            return Status::Ok();
        }
        case chat::ConversationEvent::kBotAnswered:
            if (ev.bot_answered().article_id().empty()) return Status::Ok();  // small talk resolves nothing
            return store_.ScheduleBotResolution(conv, clock_.Now() + options_.bot_idle_resolve);
        default:
            return Status::Ok();
    }
}

Status Router::PublishAssignments(const std::vector<conversation::Assignment>& assignments) {
    if (assignments.empty()) return Status::Ok();
    std::vector<events::Outgoing> records;
    const auto now = clock_.Now();
    for (const auto& a : assignments) {
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), a.conversation.str(), ChannelOf(a.channel), "routing",
                             "", now);
        ev.mutable_operator_assigned()->set_operator_id(a.op.str());
        ev.mutable_operator_assigned()->set_operator_name(a.operator_name);
        records.push_back(events::Encode(naming_.Events(), a.conversation.str(), ev));
        probe_.OnAssigned();
        spdlog::info("conversation {} assigned to operator {}", a.conversation.str(), a.op.str());
    }
    Status s = events::PublishAll(producer_, records);
    if (!s.ok()) {
        probe_.OnPublishFailed();
        spdlog::error("could not publish {} OperatorAssigned events: {}", records.size(), s.error().message);
    }
    return s;
}

Result<std::vector<conversation::Assignment>> Router::AssignQueued() {
    auto assigned = store_.AssignQueued(clock_.Now(), options_.assign_batch);
    if (!assigned) return assigned.error();
    // The assignment itself is already durable in Redis; a lost event is logged and counted.
    (void)PublishAssignments(*assigned);
    return assigned;
}

Status Router::SweepIdleBots() {
    const auto now = clock_.Now();
    auto due = store_.ResolveIdleBots(now, 500);
    if (!due) return due.error();
    if (due->empty()) return Status::Ok();
    std::vector<events::Outgoing> records;
    for (const auto& r : *due) {
        chat::ConversationEvent ev;
        events::FillEnvelope(ev.mutable_envelope(), NewUuid(), r.conversation.str(), ChannelOf(r.channel), "routing",
                             "", now);
        ev.mutable_conversation_resolved()->set_resolved_by(chat::RESPONDER_BOT);
        records.push_back(events::Encode(naming_.Events(), r.conversation.str(), ev));
        probe_.OnResolvedByBot();
        spdlog::info("conversation {} resolved by the assistant (idle)", r.conversation.str());
    }
    Status s = events::PublishAll(producer_, records);
    if (!s.ok()) probe_.OnPublishFailed();
    return s;
}

Result<std::vector<conversation::Assignment>> Router::SetStatus(const OperatorId& op, const std::string& name,
                                                                conversation::OperatorStatus status, int capacity) {
    if (Status s = store_.SetOperatorStatus(op, name, status, capacity); !s.ok()) return s.error();
    spdlog::info("operator {} is now {}", op.str(),
                 status == conversation::OperatorStatus::kOnline ? "online"
                 : status == conversation::OperatorStatus::kAway ? "away"
                                                                 : "offline");
    return AssignQueued();
}

Router::ReplyOutcome Router::Reply(const OperatorId& op, const ConversationId& conv, const std::string& text) {
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, "", info.error().message};
    if (info->state != conversation::State::kAssigned) {
        return {ActionError::kNotAssigned, "", "conversation is not assigned to an operator"};
    }
    if (info->operator_id != op) return {ActionError::kOtherOperator, "", "conversation belongs to another operator"};
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
        return {ActionError::kUnavailable, "", s.error().message};
    }
    probe_.OnOperatorReply();
    return {ActionError::kNone, reply_id, ""};
}

Router::ReplyOutcome Router::Resolve(const OperatorId& op, const ConversationId& conv) {
    auto info = store_.Get(conv);
    if (!info) return {ActionError::kUnavailable, "", info.error().message};
    auto outcome = store_.ResolveByOperator(conv, op, clock_.Now());
    if (!outcome) return {ActionError::kUnavailable, "", outcome.error().message};
    if (*outcome == conversation::ResolveOutcome::kNotAssigned) {
        return {ActionError::kNotAssigned, "", "conversation is not assigned to an operator"};
    }
    if (*outcome == conversation::ResolveOutcome::kOtherOperator) {
        return {ActionError::kOtherOperator, "", "conversation belongs to another operator"};
    }
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), NewUuid(), conv.str(), ChannelOf(info->channel), "routing", "",
                         clock_.Now());
    ev.mutable_conversation_resolved()->set_resolved_by(chat::RESPONDER_OPERATOR);
    ev.mutable_conversation_resolved()->set_operator_id(op.str());
    probe_.OnResolvedByOperator();
    spdlog::info("conversation {} resolved by operator {}", conv.str(), op.str());
    Status s = events::PublishAll(producer_, {events::Encode(naming_.Events(), conv.str(), ev)});
    if (!s.ok()) {
        probe_.OnPublishFailed();
        spdlog::error("conversation {} resolved but the event was not published: {}", conv.str(), s.error().message);
    }
    (void)AssignQueued();  // the freed capacity takes the next queued conversation
    return {ActionError::kNone, "", ""};
}

}  // namespace switchboard::routing
