#include "recorder.hpp"

#include <spdlog/spdlog.h>

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

Status Recorder::Mark(const ConversationId& conv, const std::string& channel, metrics::Mark mark, std::int64_t at_ms) {
    auto done = store_.Record(conv, mark, at_ms);
    if (!done) return done.error();
    for (const auto& m : *done) {
        probe_.OnInterval(channel, m.name, m.Seconds());
        spdlog::debug("conversation {}: {} {:.3f}s", conv.str(), m.name, m.Seconds());
    }
    return Status::Ok();
}

Status Recorder::HandleInbound(const kafka::Record& record) {
    chat::InboundMessage m;
    if (!m.ParseFromString(record.value) || !IsValidExternalId(m.envelope().conversation_id())) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable or invalid InboundMessage");
    }
    const std::string channel(events::ChannelName(m.envelope().channel()));
    const ConversationId conv(m.envelope().conversation_id());
    auto first = store_.FirstSight("in:" + m.message_id());
    if (!first) return first.error();
    if (*first) probe_.OnCustomerMessage(channel);
    // Recording is idempotent (the first of each mark counts), so a redelivery is harmless here
    // and a failure after the count above is completed by the retry.
    return Mark(conv, channel, Mark::kCustomerMessage, events::ToUnixMillis(m.received_at()));
}

Status Recorder::HandleEvent(const kafka::Record& record) {
    chat::ConversationEvent ev;
    if (!ev.ParseFromString(record.value) || ev.envelope().event_id().empty() ||
        ev.envelope().conversation_id().empty()) {
        probe_.OnInvalidRecord();
        return Error::Fatal("undecodable or invalid ConversationEvent");
    }
    if (ev.kind_case() == chat::ConversationEvent::kOperatorStatusChanged) return Status::Ok();  // keyed by operator
    if (!IsValidExternalId(ev.envelope().conversation_id())) {
        probe_.OnInvalidRecord();
        return Error::Fatal("ConversationEvent without a valid conversation id");
    }
    const ConversationId conv(ev.envelope().conversation_id());
    const std::string channel(events::ChannelName(ev.envelope().channel()));
    const std::int64_t at = events::ToUnixMillis(ev.envelope().occurred_at());

    // Idempotent marks first (they complete intervals whatever the order of the two topics).
    switch (ev.kind_case()) {
        case chat::ConversationEvent::kReplyDelivered: {
            const auto& d = ev.reply_delivered();
            if (d.kind() == chat::OUTBOUND_KIND_NOTICE) return Status::Ok();  // not an answer
            const auto mark = d.responder() == chat::RESPONDER_OPERATOR ? Mark::kOperatorReply : Mark::kBotReply;
            return Mark(conv, channel, mark, events::ToUnixMillis(d.delivered_at()));
        }
        case chat::ConversationEvent::kHandoffRequested:
            if (Status s = Mark(conv, channel, Mark::kHandoff, at); !s.ok()) return s;
            break;
        case chat::ConversationEvent::kOperatorAssigned:
            return Mark(conv, channel, Mark::kAssigned, at);
        case chat::ConversationEvent::kConversationResolved:
        case chat::ConversationEvent::kBotAnswered:
        case chat::ConversationEvent::kConversationReopened:
            break;
        default:
            return Status::Ok();
    }

    // Counts, once per event id.
    auto first = store_.FirstSight("ev:" + ev.envelope().event_id());
    if (!first) return first.error();
    if (!*first) return Status::Ok();
    switch (ev.kind_case()) {
        case chat::ConversationEvent::kConversationResolved: {
            const auto& r = ev.conversation_resolved();
            const std::string by =
                r.how() == "abandoned" ? "abandoned" : std::string(events::ResponderLabel(r.resolved_by()));
            probe_.OnResolved(channel, by);
            return store_.EndCycle(conv);
        }
        case chat::ConversationEvent::kConversationReopened:
            probe_.OnReopened(channel,
                              std::string(events::ResponderLabel(ev.conversation_reopened().previously_resolved_by())));
            return Status::Ok();
        case chat::ConversationEvent::kHandoffRequested: {
            const auto reason = ev.handoff_requested().reason();
            probe_.OnHandoff(channel, std::string(events::HandoffReasonLabel(reason)));
            if (reason == chat::HANDOFF_REASON_LOW_CONFIDENCE || reason == chat::HANDOFF_REASON_BOT_FAILED) {
                probe_.OnKbQuestion(channel, false);
            }
            return Status::Ok();
        }
        case chat::ConversationEvent::kBotAnswered:
            if (!ev.bot_answered().article_id().empty()) {
                probe_.OnBotAnswer(channel);
                probe_.OnKbQuestion(channel, true);
            }
            return Status::Ok();
        default:
            return Status::Ok();
    }
}

}  // namespace switchboard::metrics
