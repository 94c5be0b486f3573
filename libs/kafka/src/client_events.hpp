#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

namespace switchboard::kafka {

// librdkafka's error and log events for one client handle: routes its logs to spdlog and keeps
// the broker reachability and fatal-error state that Healthy() reports.
//
// Thread-safety: event_cb runs on librdkafka's threads (logs) and on the polling thread
// (errors); the state is atomic.
class ClientEvents final : public RdKafka::EventCb {
public:
    // `name` identifies the client in log lines, e.g. "producer gateway-1".
    explicit ClientEvents(std::string name) : name_(std::move(name)) {}
    // Receives librdkafka's statistics JSON (statistics.interval.ms). Set before the handle exists.
    void OnStats(std::function<void(std::string_view)> handler) { on_stats_ = std::move(handler); }

    void event_cb(RdKafka::Event& event) override;

    // A broker answered (delivery, metadata, assignment): it is reachable.
    void MarkBrokerUp() { broker_up_.store(true, std::memory_order_relaxed); }
    void MarkBrokerDown() { broker_up_.store(false, std::memory_order_relaxed); }
    bool BrokerUp() const { return broker_up_.load(std::memory_order_relaxed); }
    // A fatal error (e.g. idempotence state lost): the handle is unusable until recreated.
    bool Fatal() const { return fatal_.load(std::memory_order_relaxed); }

    const std::string& name() const { return name_; }

private:
    const std::string name_;
    std::atomic<bool> broker_up_{false};
    std::atomic<bool> fatal_{false};
    std::function<void(std::string_view)> on_stats_;
};

// Routes one librdkafka log line (syslog `severity`) to spdlog. Connection failures ("FAIL")
// drop to debug: they also arrive as error events or as the caller's Status.
void LogFromLibrdkafka(std::string_view client, int severity, std::string_view facility,
                       std::string_view message);

// One broker round trip with a short timeout; true if a broker answered. Updates `events`.
bool ProbeBrokers(RdKafka::Handle& handle, ClientEvents& events, int timeout_ms);

}  // namespace switchboard::kafka
