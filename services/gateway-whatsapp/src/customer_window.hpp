#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "switchboard/core/clock.hpp"
#include "switchboard/core/error.hpp"
#include "switchboard/redis/client.hpp"

namespace switchboard::gateway_whatsapp {

// WhatsApp's customer-service window: a business may send free-form messages to a customer only
// within 24 hours of the customer's last message; after that only approved templates.
inline constexpr std::chrono::hours kCustomerServiceWindow{24};

// True if a free-form message may be sent at `now` to a customer who last wrote at
// `last_inbound` (std::nullopt: never, or longer ago than the store remembers). `margin` closes
// the window that much early so a send does not race the platform's own clock.
bool WindowOpen(std::optional<Clock::TimePoint> last_inbound, Clock::TimePoint now,
                std::chrono::seconds margin = std::chrono::seconds(0));

// When each conversation's customer last wrote. Implementations are thread-safe; errors are
// retryable when the store is unreachable.
class CustomerWindowStore {
public:
    virtual ~CustomerWindowStore() = default;
    // Records a customer message sent at `at`; an older time than the one stored is ignored.
    virtual Status RecordInbound(const std::string& conversation_id, Clock::TimePoint at) = 0;
    virtual Result<std::optional<Clock::TimePoint>> LastInbound(const std::string& conversation_id) = 0;
};

// In Redis: <prefix>whatsapp:window:<conversation id> = unix milliseconds of the customer's last
// message, kept 48 hours (long after the window closes, so a missing key means "closed").
class RedisCustomerWindow final : public CustomerWindowStore {
public:
    RedisCustomerWindow(redis::Client& redis, std::string prefix);
    Status RecordInbound(const std::string& conversation_id, Clock::TimePoint at) override;
    Result<std::optional<Clock::TimePoint>> LastInbound(const std::string& conversation_id) override;
    std::string Key(const std::string& conversation_id) const {
        return prefix_ + "whatsapp:window:" + conversation_id;
    }

private:
    redis::Client& redis_;
    std::string prefix_;
};

}  // namespace switchboard::gateway_whatsapp
