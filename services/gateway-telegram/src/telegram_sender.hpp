#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "switchboard/channel/delivery.hpp"
#include "switchboard/channel/platform_client.hpp"
#include "switchboard/core/error.hpp"

namespace switchboard::channel {
class ChannelProbe;
class RateLimiter;
}  // namespace switchboard::channel

namespace switchboard::gateway_telegram {

class TelegramProbe;

// Delivers one reply with the Bot API's sendMessage: the channel::Sender of gateway-telegram.
//
// A reply longer than one message is sent as up to `max_parts` messages (RenderReply), each after
// a RateLimiter slot for the chat (the first part's slot is taken by OutboundDelivery). Which parts
// of a reply went out is remembered in memory, so when a later part is answered 429/5xx the retry
// continues with that part instead of repeating the first (the DeliveryLedger's lease keeps the
// reply on this replica meanwhile; after a crash it is reported "outcome_unknown", never resent).
// The reply's platform message id is the first part's message_id.
//
// The bot token is part of every URL: neither URLs nor anything containing the token are logged or
// put in a SendAttempt.
//
// Thread-safety: Send may be called from several threads; Stop from any thread.
class TelegramSender {
public:
    // POSTs a JSON body to a URL (PlatformClient::Post in production, a fake in unit tests).
    using Post =
        std::function<Result<channel::PlatformResponse>(const std::string& url, const std::string& body)>;
    struct Options {
        std::string api_base = "https://api.telegram.org";
        std::size_t max_parts = 4;
        // How long a half-sent reply's progress is kept (longer than OutboundDelivery gives up).
        std::chrono::seconds forget_after{600};
    };

    TelegramSender(Post post, std::string bot_token, channel::RateLimiter& limiter,
                   channel::ChannelProbe& probe, TelegramProbe& telegram_probe, Options options);

    channel::SendAttempt Send(const chat::v1::OutboundMessage& reply);
    // Ends rate-limit waits between parts (the remaining parts go out at once), for shutdown.
    void Stop();

private:
    struct Progress {
        std::size_t sent = 0;
        std::string first_message_id;
        std::chrono::steady_clock::time_point touched;
    };
    channel::SendAttempt SendPart(std::int64_t chat_id, const std::string& html);
    std::string Redact(std::string text) const;
    void WaitUnlessStopped(std::chrono::milliseconds d);

    Post post_;
    std::string token_;
    std::string url_;  // contains the token
    channel::RateLimiter& limiter_;
    channel::ChannelProbe& probe_;
    TelegramProbe& telegram_probe_;
    Options options_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopped_ = false;
    std::unordered_map<std::string, Progress> progress_;  // by reply id
};

}  // namespace switchboard::gateway_telegram
