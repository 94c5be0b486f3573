#include "whatsapp_sender.hpp"

#include <spdlog/spdlog.h>

#include "address.hpp"
#include "graph_api.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/chat/v1/events.pb.h"
#include "switchboard/core/ids.hpp"
#include "switchboard/events/labels.hpp"
#include "switchboard/events/publish.hpp"

namespace switchboard::gateway_whatsapp {

namespace chat = switchboard::chat::v1;

namespace {

channel::SendAttempt Delivered(std::string platform_message_id, std::string response) {
    channel::SendAttempt a = channel::SendAttempt::Delivered(std::move(platform_message_id));
    a.platform_response = std::move(response);
    return a;
}

}  // namespace

channel::SendAttempt WindowClosedAttempt(const chat::OutboundMessage& out, const std::string& detail,
                                         const events::Naming& naming, Clock::TimePoint now) {
    channel::SendAttempt a = channel::SendAttempt::Failed("window_closed", detail);
    if (out.responder() != chat::RESPONDER_BOT || out.kind() == chat::OUTBOUND_KIND_NOTICE) return a;
    const std::string& conv = out.envelope().conversation_id();
    chat::ConversationEvent ev;
    events::FillEnvelope(ev.mutable_envelope(), DerivedId("e-", "window-closed:" + out.reply_id()), conv,
                         common::v1::CHANNEL_WHATSAPP, "gateway-whatsapp", out.envelope().trace_id(), now);
    auto* h = ev.mutable_handoff_requested();
    h->set_message_id(out.in_reply_to());
    h->set_reason(chat::HANDOFF_REASON_CHANNEL_WINDOW_CLOSED);
    h->set_text(out.text());
    a.extra_events.push_back(events::Encode(naming.Events(), conv, ev));
    return a;
}

WhatsAppSender::WhatsAppSender(Post post, std::string access_token, CustomerWindowStore& window,
                               const events::Naming& naming, const Clock& clock, channel::ChannelProbe& probe,
                               WhatsAppProbe& wa_probe, Options options)
    : post_(std::move(post)),
      authorization_("Authorization: Bearer " + access_token),
      window_(window),
      naming_(naming),
      clock_(clock),
      probe_(probe),
      wa_probe_(wa_probe),
      options_(std::move(options)) {}

std::string WhatsAppSender::RateKey(const chat::OutboundMessage& out) {
    const auto address = WaAddress::FromConversationId(out.envelope().conversation_id());
    return address ? address->phone_number_id : out.envelope().conversation_id();
}

channel::SendAttempt WhatsAppSender::WindowClosed(const chat::OutboundMessage& out,
                                                  const std::string& detail) {
    wa_probe_.OnWindowClosed(std::string(events::ResponderLabel(out.responder())));
    spdlog::info("conversation {}: reply {} not sent, {}", out.envelope().conversation_id(), out.reply_id(),
                 detail);
    return WindowClosedAttempt(out, detail, naming_, clock_.Now());
}

channel::SendAttempt WhatsAppSender::Send(const chat::OutboundMessage& out) {
    const std::string& conv = out.envelope().conversation_id();
    const auto address = WaAddress::FromConversationId(conv);
    if (!address)
        return channel::SendAttempt::Failed("no_address",
                                            "conversation id is not wa-<phone_number_id>-<wa_id>");

    auto last = window_.LastInbound(conv);
    if (!last) return channel::SendAttempt::Retry("customer window unknown: " + last.error().message);
    if (!WindowOpen(*last, clock_.Now(), options_.window_margin)) {
        return WindowClosed(out, "customer-service window closed: no customer message in the last 24 hours");
    }

    const auto started = std::chrono::steady_clock::now();
    auto response = post_(MessagesUrl(options_.api_base, options_.api_version, address->phone_number_id),
                          "application/json", TextMessageBody(address->wa_id, out.text()), {authorization_});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!response) {
        probe_.OnPlatformRequest(0, seconds);
        return channel::SendAttempt::Retry("transport: " + response.error().message);
    }
    probe_.OnPlatformRequest(response->status, seconds);

    std::optional<std::string_view> retry_after;
    for (const auto& [name, value] : response->headers) {
        if (name == "retry-after") retry_after = value;
    }
    SendOutcome outcome = ClassifySendResponse(response->status, response->body, retry_after);
    const std::string platform_response = std::to_string(response->status) + ": " + outcome.detail;
    switch (outcome.kind) {
        case SendOutcome::Kind::kDelivered:
            return Delivered(std::move(outcome.message_id), platform_response);
        case SendOutcome::Kind::kRetry:
            return channel::SendAttempt::Retry(platform_response, outcome.retry_after);
        case SendOutcome::Kind::kWindowClosed:
            return WindowClosed(out, platform_response);
        case SendOutcome::Kind::kRejected:
            break;
    }
    return channel::SendAttempt::Failed("rejected", outcome.detail);
}

}  // namespace switchboard::gateway_whatsapp
