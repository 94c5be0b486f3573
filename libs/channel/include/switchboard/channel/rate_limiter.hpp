#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard::channel {

// A platform's send limits as two token buckets: one per key (a chat, a phone number) and one for
// the whole gateway replica, e.g. Telegram's ~1 message/s per chat and ~30/s overall. Reserve()
// takes a slot and says how long to wait before using it (0 = now). In-process: with N replicas
// configure the overall rate as the platform's limit / N. Thread-safe.
class RateLimiter {
public:
    struct Limits {
        double per_key_per_second = 1.0;
        double per_key_burst = 1.0;
        double overall_per_second = 30.0;
        double overall_burst = 30.0;
    };
    explicit RateLimiter(Limits limits);

    std::chrono::milliseconds Reserve(const std::string& key, std::chrono::steady_clock::time_point now);
    std::chrono::milliseconds Reserve(const std::string& key) { return Reserve(key, std::chrono::steady_clock::now()); }

private:
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point at;
    };
    static double Take(Bucket& b, double rate, double burst, std::chrono::steady_clock::time_point now);

    Limits limits_;
    std::mutex mu_;
    Bucket overall_;
    std::unordered_map<std::string, Bucket> per_key_;
};

}  // namespace switchboard::channel
