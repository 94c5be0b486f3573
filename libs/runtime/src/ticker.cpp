#include "switchboard/runtime/ticker.hpp"

namespace switchboard::runtime {

Ticker::Ticker(std::chrono::milliseconds period, std::function<void()> tick)
    : period_(period), tick_(std::move(tick)), thread_([this] { Run(); }) {}

Ticker::~Ticker() { Stop(); }

void Ticker::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Ticker::Run() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
        lock.unlock();
        tick_();
        lock.lock();
    }
}

}  // namespace switchboard::runtime
