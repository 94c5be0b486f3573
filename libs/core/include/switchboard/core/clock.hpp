#pragma once

#include <chrono>

namespace switchboard {

// Wall-clock time source, injected so logic can be tested without sleeping.
// Implementations must be thread-safe.
class Clock {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock tests move by hand. Not thread-safe.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start = TimePoint{}) : now_(start) {}
    TimePoint Now() const override { return now_; }
    void Advance(std::chrono::nanoseconds d) { now_ += d; }

private:
    TimePoint now_;
};

}  // namespace switchboard
