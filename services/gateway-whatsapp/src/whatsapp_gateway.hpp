#pragma once

#include <string>

#include "customer_window.hpp"
#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/kafka/producer.hpp"
#include "webhook_payload.hpp"
#include "whatsapp_probe.hpp"

namespace switchboard::channel {
class ChannelProbe;
}

namespace switchboard::gateway_whatsapp {

// The WhatsApp Cloud API webhook:
//   GET  /webhook  subscription handshake (hub.mode, hub.verify_token, hub.challenge) → 200 challenge | 403
//   POST /webhook  notifications. X-Hub-Signature-256 is checked against the raw body before
//                  anything is parsed (missing 401, wrong 403). Then every status becomes a
//                  ChannelStatus event on chat.events.v1 (once per (wamid, status)) and every
//                  message an InboundMessage on chat.inbound.v1 (once per wamid), with the
//                  customer's last-message time recorded for the 24-hour window first. The answer
//                  is 200 only when all of them are durably in Kafka; otherwise 503 and Meta
//                  retries the whole POST (what was accepted is then a duplicate and dropped).
//
// Conversation id: "wa-<phone_number_id>-<wa_id>"; Customer.id = wa_id, display_name = profile.name.
// Thread-safety: handlers run concurrently on HTTP threads; publish callbacks on Kafka threads.
class WhatsAppGateway {
public:
    struct Secrets {
        std::string app_secret;
        std::string verify_token;
    };

    WhatsAppGateway(channel::InboundPublisher& publisher, channel::InboundLedger& status_ledger,
                    channel::DeliveryLedger& deliveries, CustomerWindowStore& window,
                    kafka::Producer& producer, const events::Naming& naming, const Clock& clock,
                    channel::ChannelProbe& probe, WhatsAppProbe& wa_probe, Secrets secrets);

    void RegisterRoutes(http::Server& server);

    void Verify(const http::Request& request, const http::Respond& respond);
    void Notify(const http::Request& request, http::Respond respond);

private:
    // Publishes the statuses' ChannelStatus events; a retryable Error if any could not be.
    Status PublishStatuses(const std::vector<WaStatus>& statuses);

    channel::InboundPublisher& publisher_;
    channel::InboundLedger& status_ledger_;
    channel::DeliveryLedger& deliveries_;
    CustomerWindowStore& window_;
    kafka::Producer& producer_;
    const events::Naming& naming_;
    const Clock& clock_;
    channel::ChannelProbe& probe_;
    WhatsAppProbe& wa_probe_;
    Secrets secrets_;
};

// The InboundMessage for a parsed message (text, customer, attachments, metadata, received_at);
// the publisher fills the envelope and ids.
chat::v1::InboundMessage ToInbound(const WaMessage& message, Clock::TimePoint received_at);

}  // namespace switchboard::gateway_whatsapp
