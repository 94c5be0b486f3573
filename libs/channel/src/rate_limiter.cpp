#include "switchboard/channel/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::channel {

namespace {
constexpr std::size_t kMaxKeys = 100000;  // idle keys are forgotten beyond this
}

RateLimiter::RateLimiter(Limits limits)
    : limits_(limits), overall_{limits.overall_burst, std::chrono::steady_clock::now()} {}

// Refills `b` to `now`, takes one token (possibly going negative: a reservation in the future)
// and returns how many seconds until that token exists.
double RateLimiter::Take(Bucket& b, double rate, double burst, std::chrono::steady_clock::time_point now) {
    if (rate <= 0) return 0;
    if (now > b.at) {
        const double elapsed = std::chrono::duration<double>(now - b.at).count();
        b.tokens = std::min(burst, b.tokens + elapsed * rate);
        b.at = now;
    }
    b.tokens -= 1.0;
    return b.tokens >= 0 ? 0.0 : -b.tokens / rate;
}

std::chrono::milliseconds RateLimiter::Reserve(const std::string& key, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mu_);
    if (per_key_.size() >= kMaxKeys) {
        // Drop keys whose bucket is full again: they carry no state worth keeping.
        for (auto it = per_key_.begin(); it != per_key_.end();) {
            const double elapsed = std::chrono::duration<double>(now - it->second.at).count();
            if (it->second.tokens + elapsed * limits_.per_key_per_second >= limits_.per_key_burst) {
                it = per_key_.erase(it);
            } else {
                ++it;
            }
        }
    }
    auto [it, inserted] = per_key_.try_emplace(key, Bucket{limits_.per_key_burst, now});
    const double key_wait = Take(it->second, limits_.per_key_per_second, limits_.per_key_burst, now);
    const double all_wait = Take(overall_, limits_.overall_per_second, limits_.overall_burst, now);
    const double wait = std::max(key_wait, all_wait);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait * 1000.0)));
}

}  // namespace switchboard::channel
