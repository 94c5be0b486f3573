#pragma once

#include <functional>
#include <string>

#include "switchboard/channel/inbound.hpp"
#include "switchboard/core/clock.hpp"
#include "switchboard/http/server.hpp"

namespace switchboard::channel {
class ChannelProbe;
}

namespace switchboard::gateway_telegram {

class TelegramProbe;

// The Bot API webhook: POST <path> with one Update per request.
//
//  1. X-Telegram-Bot-Api-Secret-Token (the secret_token given to setWebhook) is compared in
//     constant time: missing → 401, wrong → 403, counted as rejected{reason="bad_secret"}.
//  2. The body is parsed (ParseUpdate): not JSON → 400 invalid_json, no update_id / chat id →
//     400 invalid_update, both counted; updates with nothing for us → 200 {"status":"ignored"}.
//  3. A message is published once per "<bot id>:<update_id>" (Telegram resends an update until it
//     gets a 2xx): 200 once it is durably in Kafka or was before (accepted / duplicate), 503 when
//     Kafka or Redis failed or the same update is being published right now (Telegram retries).
//
// Nothing of the request (secret, body) is logged. Thread-safety: Handle runs on HTTP threads
// concurrently; the completion runs on a Kafka delivery thread.
class TelegramWebhook {
public:
    // InboundPublisher::Publish in production; a fake in unit tests.
    using Publish = std::function<void(
        const std::string& conversation_id, const std::string& channel_message_id,
        chat::v1::InboundMessage message, std::function<void(channel::InboundOutcome)> done)>;
    struct Options {
        std::string path = "/telegram/webhook";
        std::string secret;  // the webhook's secret_token
        std::string bot_id;  // the numeric part of the bot token before ':' (public)
    };

    TelegramWebhook(Options options, Publish publish, const Clock& clock, channel::ChannelProbe& probe,
                    TelegramProbe& telegram_probe);

    void RegisterRoutes(http::Server& server);
    void Handle(const http::Request& request, http::Respond respond);

    // The channel_message_id of an update: "<bot id>:<update_id>" (update ids are per bot).
    std::string ChannelMessageId(std::int64_t update_id) const;

private:
    Options options_;
    Publish publish_;
    const Clock& clock_;
    channel::ChannelProbe& probe_;
    TelegramProbe& telegram_probe_;
};

// True if `secret` is a valid setWebhook secret_token: 1-256 characters of A-Z a-z 0-9 _ -.
bool IsValidWebhookSecret(std::string_view secret);
// The bot id of a bot token "<digits>:<secret part>", or "" if `token` does not have that shape.
// Never logs or returns any of the secret part.
std::string BotIdFromToken(std::string_view token);

}  // namespace switchboard::gateway_telegram
