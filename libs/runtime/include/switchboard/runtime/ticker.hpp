#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace switchboard::runtime {

// Runs `tick` every `period` on its own thread until Stop() (or destruction). A tick in progress
// finishes before Stop() returns. Thread-safety: Stop() from any thread, idempotent.
class Ticker {
public:
    Ticker(std::chrono::milliseconds period, std::function<void()> tick);
    ~Ticker();
    Ticker(const Ticker&) = delete;
    Ticker& operator=(const Ticker&) = delete;
    void Stop();

private:
    void Run();
    std::chrono::milliseconds period_;
    std::function<void()> tick_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace switchboard::runtime
