#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/kafka/consumer.hpp"

namespace switchboard::testing {

// Reads a topic from the beginning (a group of its own) and keeps every record, so a test can
// wait for what a component published. Thread-safe.
class RecordCollector {
public:
    RecordCollector(const std::string& brokers, const std::string& topic);
    ~RecordCollector();
    RecordCollector(const RecordCollector&) = delete;
    RecordCollector& operator=(const RecordCollector&) = delete;

    // Waits until `done(records so far)` is true; false on timeout.
    bool WaitFor(const std::function<bool(const std::vector<kafka::Record>&)>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(15));
    // Waits until at least `n` records arrived; false on timeout.
    bool WaitForCount(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15));
    std::vector<kafka::Record> Records() const;

private:
    mutable std::mutex mu_;
    std::condition_variable changed_;
    std::vector<kafka::Record> records_;
    std::unique_ptr<kafka::Consumer> consumer_;
};

}  // namespace switchboard::testing
