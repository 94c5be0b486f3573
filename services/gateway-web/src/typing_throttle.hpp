#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "switchboard/core/clock.hpp"

namespace switchboard::gateway_web {

// At most one "customer is typing" event per conversation per `interval`, on this replica (with
// N replicas a conversation's tabs on different replicas may get N per interval: it is a hint,
// not worth a Redis round trip per keystroke burst). Memory is bounded: past `max_tracked`
// conversations, expired ones are forgotten; if all are recent, new ones are refused until some
// expire. Thread-safe; time comes from the caller (tests need no sleeps).
class TypingThrottle {
public:
    explicit TypingThrottle(Clock::TimePoint::duration interval, std::size_t max_tracked = 100000);

    // True if an event for this conversation may be published now (and records it).
    bool Allow(const std::string& conversation_id, Clock::TimePoint now);
    std::size_t tracked() const;

private:
    const Clock::TimePoint::duration interval_;
    const std::size_t max_tracked_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Clock::TimePoint> last_;
};

}  // namespace switchboard::gateway_web
