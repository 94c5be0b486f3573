#include "telegram_gateway.hpp"

#include <stdexcept>

namespace switchboard::gateway_telegram {

namespace {

constexpr const char* kService = "gateway-telegram";
constexpr auto kChannel = common::v1::CHANNEL_TELEGRAM;

std::string ChannelName() { return std::string(events::ChannelName(kChannel)); }

// Checked before anything is built; the messages name the variables, never the values.
GatewaySettings Validated(GatewaySettings s) {
    if (BotIdFromToken(s.bot_token).empty()) {
        throw std::invalid_argument(
            "the bot token is not of the form <bot id>:<secret> (check TELEGRAM_BOT_TOKEN)");
    }
    if (!IsValidWebhookSecret(s.webhook_secret)) {
        throw std::invalid_argument(
            "the webhook secret must be 1-256 characters of A-Z a-z 0-9 _ - (check TELEGRAM_WEBHOOK_SECRET)");
    }
    if (s.webhook_path.empty() || s.webhook_path.front() != '/') {
        throw std::invalid_argument("telegram.webhook-path must start with '/'");
    }
    const auto& l = s.limits;
    if (!(l.per_key_per_second > 0) || !(l.overall_per_second > 0) || !(l.per_key_burst >= 1) ||
        !(l.overall_burst >= 1)) {
        throw std::invalid_argument("telegram.rate.*: rates must be > 0 and bursts >= 1");
    }
    return s;
}

}  // namespace

TelegramGateway::TelegramGateway(GatewaySettings settings, kafka::Producer& producer, redis::Client& redis,
                                 const events::Naming& naming, const Clock& clock,
                                 prometheus::Registry& registry)
    : settings_(Validated(std::move(settings))),
      probe_(registry, ChannelName()),
      telegram_probe_(registry),
      inbound_ledger_(redis, naming.RedisPrefix(), ChannelName()),
      publisher_(producer, inbound_ledger_, naming, kChannel, kService, probe_),
      delivery_ledger_(redis, naming.RedisPrefix(), ChannelName()),
      limiter_(settings_.limits),
      delivery_(producer, delivery_ledger_, limiter_, naming, clock, kChannel, kService, probe_,
                settings_.delivery),
      client_(settings_.client),
      sender_([this](const std::string& url,
                     const std::string& body) { return client_.Post(url, "application/json", body); },
              settings_.bot_token, limiter_, probe_, telegram_probe_, settings_.sender) {
    TelegramWebhook::Options webhook;
    webhook.path = settings_.webhook_path;
    webhook.secret = settings_.webhook_secret;
    webhook.bot_id = BotIdFromToken(settings_.bot_token);
    webhook_ = std::make_unique<TelegramWebhook>(
        std::move(webhook),
        [this](const std::string& conversation_id, const std::string& channel_message_id,
               chat::v1::InboundMessage message, std::function<void(channel::InboundOutcome)> done) {
            publisher_.Publish(conversation_id, channel_message_id, std::move(message), std::move(done));
        },
        clock, probe_, telegram_probe_);
    consumer_ = kafka::MakeConsumer(
        {settings_.kafka_brokers,
         naming.Group(kService),
         kService,
         {naming.Outbound(kChannel)},
         "earliest",
         {}},
        [this](const kafka::Record& record) {
            return delivery_.Handle(
                record, [this](const chat::v1::OutboundMessage& reply) { return sender_.Send(reply); });
        },
        &registry);
}

TelegramGateway::~TelegramGateway() { Stop(); }

void TelegramGateway::Start() { consumer_->Start(); }

void TelegramGateway::Stop() {
    // Wake waits first so the record in hand finishes (or is released) quickly, then leave the group.
    sender_.Stop();
    delivery_.Stop();
    if (consumer_) consumer_->Stop();
}

}  // namespace switchboard::gateway_telegram
