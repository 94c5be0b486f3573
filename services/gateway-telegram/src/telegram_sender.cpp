#include "telegram_sender.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "bot_api.hpp"
#include "reply_format.hpp"
#include "switchboard/channel/probe.hpp"
#include "switchboard/channel/rate_limiter.hpp"
#include "telegram_probe.hpp"
#include "update_parser.hpp"

namespace switchboard::gateway_telegram {

TelegramSender::TelegramSender(Post post, std::string bot_token, channel::RateLimiter& limiter,
                               channel::ChannelProbe& probe, TelegramProbe& telegram_probe, Options options)
    : post_(std::move(post)),
      token_(std::move(bot_token)),
      limiter_(limiter),
      probe_(probe),
      telegram_probe_(telegram_probe),
      options_(std::move(options)) {
    std::string base = options_.api_base;
    while (!base.empty() && base.back() == '/') base.pop_back();
    url_ = base + "/bot" + token_ + "/sendMessage";
}

void TelegramSender::Stop() {
    {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }
    wake_.notify_all();
}

void TelegramSender::WaitUnlessStopped(std::chrono::milliseconds d) {
    if (d.count() <= 0) return;
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, d, [this] { return stopped_; });
}

std::string TelegramSender::Redact(std::string text) const {
    if (token_.empty()) return text;
    for (auto at = text.find(token_); at != std::string::npos; at = text.find(token_, at)) {
        text.replace(at, token_.size(), "<token>");
    }
    return text;
}

channel::SendAttempt TelegramSender::SendPart(std::int64_t chat_id, const std::string& html) {
    const auto started = std::chrono::steady_clock::now();
    auto response = post_(url_, SendMessageBody(chat_id, html));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!response) {
        probe_.OnPlatformRequest(0, seconds);
        return channel::SendAttempt::Retry(Redact(response.error().message));
    }
    probe_.OnPlatformRequest(response->status, seconds);
    channel::SendAttempt a = MapSendMessageResponse(response->status, response->body);
    a.platform_response = Redact(std::move(a.platform_response));
    return a;
}

channel::SendAttempt TelegramSender::Send(const chat::v1::OutboundMessage& reply) {
    std::int64_t chat_id = 0;
    if (!ChatIdFromConversation(reply.envelope().conversation_id(), chat_id)) {
        return channel::SendAttempt::Failed(
            "no_address",
            "conversation " + reply.envelope().conversation_id() + " is not a Telegram chat (tg-<chat id>)");
    }
    const std::vector<std::string> parts = RenderReply(reply, options_.max_parts);
    if (parts.empty()) return channel::SendAttempt::Failed("rejected", "the reply has no visible text");

    const auto now = std::chrono::steady_clock::now();
    Progress progress;
    {
        std::lock_guard lock(mu_);
        for (auto it = progress_.begin(); it != progress_.end();) {
            it = now - it->second.touched > options_.forget_after ? progress_.erase(it) : std::next(it);
        }
        if (auto it = progress_.find(reply.reply_id()); it != progress_.end()) progress = it->second;
    }
    const std::string& key = reply.envelope().conversation_id();
    const std::size_t first = progress.sent;
    for (std::size_t i = first; i < parts.size(); ++i) {
        // OutboundDelivery took the slot for the first message of this attempt.
        if (i > first) WaitUnlessStopped(limiter_.Reserve(key));
        channel::SendAttempt a = SendPart(chat_id, parts[i]);
        if (a.kind != channel::SendAttempt::Kind::kDelivered) {
            std::lock_guard lock(mu_);
            if (progress.sent > 0) {
                progress.touched = std::chrono::steady_clock::now();
                progress_[reply.reply_id()] = progress;
                a.platform_response = "part " + std::to_string(i + 1) + " of " +
                                      std::to_string(parts.size()) + ": " + a.platform_response;
            }
            if (a.kind == channel::SendAttempt::Kind::kFailed) progress_.erase(reply.reply_id());
            return a;
        }
        if (i == 0) progress.first_message_id = a.platform_message_id;
        if (i > 0) telegram_probe_.OnExtraPart();
        ++progress.sent;
    }
    {
        std::lock_guard lock(mu_);
        progress_.erase(reply.reply_id());
    }
    if (parts.size() > 1) {
        spdlog::debug("gateway-telegram conversation {}: reply {} sent as {} messages", key, reply.reply_id(),
                      parts.size());
    }
    return channel::SendAttempt::Delivered(progress.first_message_id);
}

}  // namespace switchboard::gateway_telegram
