#include "recorder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/labels.hpp"

namespace switchboard::metrics {

namespace chat = switchboard::chat::v1;

Recorder::Recorder(MeasurementStore& store, BusinessProbe& probe, const events::Naming& naming)
    : store_(store), probe_(probe), inbound_topic_(naming.Inbound()) {}

Status Recorder::Handle(const kafka::Record& record) {
    return record.topic == inbound_topic_ ? HandleInbound(record) : HandleEvent(record);
}

void Recorder::Observe(const std::string& channel, const FirstResponse& fr) {
    const double seconds = std::max<std::int64_t>(0, fr.first_reply_ms - fr.first_message_ms) / 1000.0;
    probe_.OnFirstResponse(channel, fr.responder.empty() ? "bot" : fr.responder, seconds);
    spdlog::debug("first response {} after {:.3f}s ({})", channel, seconds, fr.responder);
}

Status Recorder::HandleInbound(const kafka::Record& record) {
    chat::InboundMessage m;
    if (!m.ParseFromString(record.value) || !IsValidExternalId(m.envelope().conversation_id())) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable or invalid InboundMessage");
    }
    const std::string channel(events::ChannelName(m.envelope().channel()));
    auto first = store_.FirstSight("in:" + m.message_id());
    if (!first) return first.error();
    if (!*first) return Status::Ok();
    probe_.OnCustomerMessage(channel);
    auto fr = store_.RecordCustomerMessage(ConversationId(m.envelope().conversation_id()),
                                           events::ToUnixMillis(m.received_at()));
    if (!fr) return fr.error();
    if (*fr) Observe(channel, **fr);
    return Status::Ok();
}

Status Recorder::HandleEvent(const kafka::Record& record) {
    chat::ConversationEvent ev;
    if (!ev.ParseFromString(record.value) || !IsValidExternalId(ev.envelope().conversation_id()) ||
        ev.envelope().event_id().empty()) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable or invalid ConversationEvent");
    }
    const ConversationId conv(ev.envelope().conversation_id());
    const std::string channel(events::ChannelName(ev.envelope().channel()));
    switch (ev.kind_case()) {
        case chat::ConversationEvent::kReplyDelivered: {
            const auto& d = ev.reply_delivered();
            if (d.kind() == chat::OUTBOUND_KIND_NOTICE) return Status::Ok();
            auto fr = store_.RecordReply(conv, events::ToUnixMillis(d.delivered_at()), std::string(events::ResponderLabel(d.responder())));
            if (!fr) return fr.error();
            if (*fr) Observe(channel, **fr);
            return Status::Ok();
        }
        case chat::ConversationEvent::kConversationResolved:
        case chat::ConversationEvent::kHandoffRequested:
        case chat::ConversationEvent::kBotAnswered:
            break;
        default:
            return Status::Ok();
    }
    auto first = store_.FirstSight("ev:" + ev.envelope().event_id());
    if (!first) return first.error();
    if (!*first) return Status::Ok();
    switch (ev.kind_case()) {
        case chat::ConversationEvent::kConversationResolved:
            probe_.OnResolved(channel, std::string(events::ResponderLabel(ev.conversation_resolved().resolved_by())));
            return store_.EndCycle(conv);
        case chat::ConversationEvent::kHandoffRequested:
            probe_.OnHandoff(channel, std::string(events::HandoffReasonLabel(ev.handoff_requested().reason())));
            return Status::Ok();
        case chat::ConversationEvent::kBotAnswered:
            if (!ev.bot_answered().article_id().empty()) probe_.OnBotAnswer(channel);
            return Status::Ok();
        default:
            return Status::Ok();
    }
}

}  // namespace switchboard::metrics
