#pragma once

#include <memory>
#include <string>

#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/inbound.hpp"
#include "switchboard/channel/platform_client.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/events/naming.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/kafka/consumer.hpp"
#include "switchboard/kafka/producer.hpp"
#include "switchboard/redis/client.hpp"
#include "telegram_probe.hpp"
#include "telegram_sender.hpp"
#include "webhook.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::gateway_telegram {

struct GatewaySettings {
    std::string kafka_brokers;
    std::string webhook_path = "/telegram/webhook";
    std::string bot_token;       // secret: never logged
    std::string webhook_secret;  // secret: never logged
    TelegramSender::Options sender;
    channel::PlatformClient::Options client;
    channel::RateLimiter::Limits limits;
    channel::OutboundDelivery::Options delivery;
};

// gateway-telegram's object graph on top of a producer, a Redis client and a metrics registry
// (which the composition root owns): the webhook (InboundLedger + InboundPublisher) and the
// chat.outbound.telegram.v1 consumer (DeliveryLedger + OutboundDelivery + TelegramSender).
// main.cpp and the integration tests build the same graph through this class.
//
// Lifetime: RegisterRoutes before the HTTP server starts; Start() starts the consumer; Stop() ends
// rate-limit and backoff waits, then stops the consumer (committing what was handled). Stop the
// HTTP server first, and flush the producer after Stop(). The destructor calls Stop().
// Throws std::invalid_argument on a bad token or secret and std::runtime_error on bad Kafka
// settings (start-up errors: see runtime::OrExit).
class TelegramGateway {
public:
    TelegramGateway(GatewaySettings settings, kafka::Producer& producer, redis::Client& redis,
                    const events::Naming& naming, const Clock& clock, prometheus::Registry& registry);
    ~TelegramGateway();
    TelegramGateway(const TelegramGateway&) = delete;
    TelegramGateway& operator=(const TelegramGateway&) = delete;

    void RegisterRoutes(http::Server& server) { webhook_->RegisterRoutes(server); }
    void Start();
    void Stop();
    bool ConsumerHealthy() const { return consumer_->Healthy(); }
    channel::ChannelProbe& probe() { return probe_; }

private:
    GatewaySettings settings_;
    channel::ChannelProbe probe_;
    TelegramProbe telegram_probe_;
    channel::InboundLedger inbound_ledger_;
    channel::InboundPublisher publisher_;
    std::unique_ptr<TelegramWebhook> webhook_;
    channel::DeliveryLedger delivery_ledger_;
    channel::RateLimiter limiter_;
    channel::OutboundDelivery delivery_;
    channel::PlatformClient client_;
    TelegramSender sender_;
    std::unique_ptr<kafka::Consumer> consumer_;
};

}  // namespace switchboard::gateway_telegram
