#include "webhook.hpp"

#include <nlohmann/json.hpp>

#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/secrets.hpp"
#include "switchboard/events/naming.hpp"
#include "telegram_probe.hpp"
#include "update_parser.hpp"

namespace switchboard::gateway_telegram {

namespace {

constexpr std::string_view kSecretHeader = "X-Telegram-Bot-Api-Secret-Token";

http::Response Status200(std::string_view status) {
    return http::Response::Json(200, nlohmann::json{{"ok", true}, {"status", status}}.dump());
}

bool IsTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

bool IsValidWebhookSecret(std::string_view secret) {
    if (secret.empty() || secret.size() > 256) return false;
    for (char c : secret) {
        if (!IsTokenChar(c)) return false;
    }
    return true;
}

std::string BotIdFromToken(std::string_view token) {
    const auto colon = token.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 20 || colon + 1 == token.size()) return "";
    for (std::size_t i = 0; i < colon; ++i) {
        if (token[i] < '0' || token[i] > '9') return "";
    }
    for (std::size_t i = colon + 1; i < token.size(); ++i) {
        if (!IsTokenChar(token[i])) return "";
    }
    return std::string(token.substr(0, colon));
}

TelegramWebhook::TelegramWebhook(Options options, Publish publish, const Clock& clock,
                                 channel::ChannelProbe& probe, TelegramProbe& telegram_probe)
    : options_(std::move(options)),
      publish_(std::move(publish)),
      clock_(clock),
      probe_(probe),
      telegram_probe_(telegram_probe) {}

void TelegramWebhook::RegisterRoutes(http::Server& server) {
    server.Route("POST", options_.path,
                 [this](http::Request req, http::Respond respond) { Handle(req, std::move(respond)); });
}

std::string TelegramWebhook::ChannelMessageId(std::int64_t update_id) const {
    return options_.bot_id + ":" + std::to_string(update_id);
}

void TelegramWebhook::Handle(const http::Request& request, http::Respond respond) {
    const auto secret = request.Header(kSecretHeader);
    if (!secret) {
        probe_.OnRejected("bad_secret");
        respond(http::Response::JsonError(401, "bad_secret", "X-Telegram-Bot-Api-Secret-Token is missing"));
        return;
    }
    if (!channel::ConstantTimeEquals(*secret, options_.secret)) {
        probe_.OnRejected("bad_secret");
        respond(
            http::Response::JsonError(403, "bad_secret", "X-Telegram-Bot-Api-Secret-Token does not match"));
        return;
    }

    ParsedUpdate update = ParseUpdate(request.body);
    switch (update.kind) {
        case ParsedUpdate::Kind::kInvalid:
            probe_.OnRejected(update.error_code);
            respond(http::Response::JsonError(400, update.error_code, update.error));
            return;
        case ParsedUpdate::Kind::kIgnored:
            telegram_probe_.OnIgnored(update.ignored_type);
            respond(Status200("ignored"));
            return;
        case ParsedUpdate::Kind::kMessage:
            break;
    }
    *update.message.mutable_received_at() = events::ToTimestamp(clock_.Now());
    publish_(update.conversation_id, ChannelMessageId(update.update_id), std::move(update.message),
             [respond = std::move(respond)](channel::InboundOutcome outcome) {
                 switch (outcome) {
                     case channel::InboundOutcome::kAccepted:
                         respond(Status200("accepted"));
                         return;
                     case channel::InboundOutcome::kDuplicate:
                         respond(Status200("duplicate"));
                         return;
                     case channel::InboundOutcome::kRetryLater:
                         break;
                 }
                 respond(http::Response::JsonError(503, "unavailable", "cannot store the update now; retry"));
             });
}

}  // namespace switchboard::gateway_telegram
