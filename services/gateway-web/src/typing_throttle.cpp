#include "typing_throttle.hpp"

namespace switchboard::gateway_web {

TypingThrottle::TypingThrottle(Clock::TimePoint::duration interval, std::size_t max_tracked)
    : interval_(interval), max_tracked_(max_tracked) {}

bool TypingThrottle::Allow(const std::string& conversation_id, Clock::TimePoint now) {
    std::lock_guard lock(mu_);
    if (auto it = last_.find(conversation_id); it != last_.end()) {
        // A clock that stepped back does not silence a conversation for longer than one interval.
        if (now >= it->second && now - it->second < interval_) return false;
        it->second = now;
        return true;
    }
    if (last_.size() >= max_tracked_) {
        std::erase_if(last_, [&](const auto& kv) { return now < kv.second || now - kv.second >= interval_; });
        if (last_.size() >= max_tracked_) return false;
    }
    last_.emplace(conversation_id, now);
    return true;
}

std::size_t TypingThrottle::tracked() const {
    std::lock_guard lock(mu_);
    return last_.size();
}

}  // namespace switchboard::gateway_web
