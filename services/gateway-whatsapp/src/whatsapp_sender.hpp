#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "customer_window.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/platform_client.hpp"
#include "switchboard/chat/v1/messages.pb.h"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "whatsapp_probe.hpp"

namespace switchboard::channel {
class ChannelProbe;
}  // namespace switchboard::channel

namespace switchboard::gateway_whatsapp {

// The SendAttempt for a reply that must not be sent free-form because the customer-service
// window is closed: Failed("window_closed", detail). A bot reply (kind REPLY) also carries a
// HandoffRequested{reason CHANNEL_WINDOW_CLOSED, message_id = in_reply_to, text = the reply} on
// chat.events.v1 so a human answers (with a template); an operator's reply or a bot notice
// does not (the operator is told by the ReplyFailed; a notice's handoff is already under way).
channel::SendAttempt WindowClosedAttempt(const chat::v1::OutboundMessage& out, const std::string& detail,
                                         const events::Naming& naming, Clock::TimePoint now);

// Sends one reply through the Cloud API: the channel::Sender of gateway-whatsapp.
//   1. the conversation id gives the business number and the customer ("no_address" if not);
//   2. outside the 24-hour window (as recorded by the webhook) nothing is sent: window_closed;
//   3. POST <api_base>/<version>/<phone_number_id>/messages with the bearer token, and maps the
//      answer (ClassifySendResponse); 131047 is window_closed too.
// Rate limiting (80 messages/s per business number) is OutboundDelivery's, keyed by
// RateKey(). Blocking, called on the consumer thread. Thread-safe. Never logs the access token.
class WhatsAppSender {
public:
    // One HTTP POST (channel::PlatformClient::Post in production, a fake in unit tests).
    using Post = std::function<Result<channel::PlatformResponse>(
        const std::string& url, const std::string& content_type, const std::string& body,
        const std::vector<std::string>& headers)>;
    struct Options {
        std::string api_base = "https://graph.facebook.com";
        std::string api_version = "v21.0";
        std::chrono::seconds window_margin{60};
    };

    WhatsAppSender(Post post, std::string access_token, CustomerWindowStore& window,
                   const events::Naming& naming, const Clock& clock, channel::ChannelProbe& probe,
                   WhatsAppProbe& wa_probe, Options options);

    channel::SendAttempt Send(const chat::v1::OutboundMessage& out);

    // The rate-limit key of a reply (OutboundDelivery::Options::rate_key): its business phone
    // number id, which the Cloud API's throughput limit applies to.
    static std::string RateKey(const chat::v1::OutboundMessage& out);

private:
    channel::SendAttempt WindowClosed(const chat::v1::OutboundMessage& out, const std::string& detail);

    Post post_;
    std::string authorization_;
    CustomerWindowStore& window_;
    const events::Naming& naming_;
    const Clock& clock_;
    channel::ChannelProbe& probe_;
    WhatsAppProbe& wa_probe_;
    Options options_;
};

}  // namespace switchboard::gateway_whatsapp
