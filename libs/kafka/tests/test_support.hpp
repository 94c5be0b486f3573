#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "switchboard/core/ids.hpp"
#include "switchboard/kafka/admin.hpp"
#include "switchboard/kafka/consumer.hpp"

namespace switchboard::kafka::test_support {

using namespace std::chrono_literals;

// The local stack's broker; SWITCHBOARD_TEST_KAFKA points elsewhere.
inline std::string Brokers() {
    const char* env = std::getenv("SWITCHBOARD_TEST_KAFKA");
    return env != nullptr && *env != '\0' ? env : "127.0.0.1:19092";
}

// Every test owns its topics and groups, so tests never see each other's records.
inline std::string UniqueName(const std::string& prefix) { return prefix + "." + NewUuid(); }

// (Designated initializers would trip -Wmissing-field-initializers on GCC 12.)
inline TopicSpec Spec(std::string name, int partitions = 1) {
    TopicSpec spec;
    spec.name = std::move(name);
    spec.partitions = partitions;
    return spec;
}

inline std::string NewTopic(int partitions) {
    std::string name = UniqueName("test");
    const Status status = EnsureTopics(Brokers(), {Spec(name, partitions)});
    EXPECT_TRUE(status.ok()) << status.error().message;
    return name;
}

inline ConsumerConfig ConsumerFor(const std::string& topic, const std::string& group) {
    ConsumerConfig config;
    config.brokers = Brokers();
    config.group_id = group;
    config.client_id = "kafka-test";
    config.topics = {topic};
    return config;
}

// Records what a handler saw, in order, and lets a test wait for a condition with a deadline.
class Seen {
public:
    void Add(const Record& record) {
        {
            std::lock_guard lock(mu_);
            records_.push_back(record);
        }
        cv_.notify_all();
    }

    // Waits until `done(records)` holds; false after `timeout`.
    bool WaitUntil(const std::function<bool(const std::vector<Record>&)>& done,
                   std::chrono::milliseconds timeout = 30s) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return done(records_); });
    }

    bool WaitForCount(std::size_t n, std::chrono::milliseconds timeout = 30s) {
        return WaitUntil([n](const std::vector<Record>& r) { return r.size() >= n; }, timeout);
    }

    std::vector<Record> Snapshot() const {
        std::lock_guard lock(mu_);
        return records_;
    }

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Record> records_;
};

// Polls `condition` until it holds or `timeout` passes, for state nothing notifies about
// (Healthy()).
inline bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// The value of counter `name`{topic, result} in `registry`, 0 if absent.
inline double CounterValue(prometheus::Registry& registry, const std::string& name,
                           const std::string& topic, const std::string& result) {
    for (const prometheus::MetricFamily& family : registry.Collect()) {
        if (family.name != name) continue;
        for (const prometheus::ClientMetric& metric : family.metric) {
            bool topic_matches = false;
            bool result_matches = false;
            for (const prometheus::ClientMetric::Label& label : metric.label) {
                topic_matches |= label.name == "topic" && label.value == topic;
                result_matches |= label.name == "result" && label.value == result;
            }
            if (topic_matches && result_matches) return metric.counter.value;
        }
    }
    return 0;
}

}  // namespace switchboard::kafka::test_support
