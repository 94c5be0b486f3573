#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "switchboard/core/error.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::kafka {

struct ProducerConfig {
    std::string brokers;    // "host:port[,host:port]"
    std::string client_id;  // shows up in broker logs and metrics labels
    // Raw librdkafka properties applied last (e.g. {"linger.ms", "0"}); unknown ones fail start-up.
    std::map<std::string, std::string> overrides;
};

// Publishes records to Kafka. Idempotent (enable.idempotence=true, hence acks=all), Nagle off,
// linger 1 ms: tuned for chat latency, not batch throughput.
//
// Thread-safety: all methods may be called from any thread.
// Errors: Produce never throws; the outcome arrives in the callback. Construction (MakeProducer)
// throws std::runtime_error on invalid configuration.
class Producer {
public:
    // Called exactly once per Produce, from the producer's delivery thread: Status::Ok() once the
    // record is durably written (acks=all), or an Error (retryable if librdkafka says so).
    // Must not block for long.
    using DeliveryCallback = std::function<void(Status)>;

    virtual ~Producer() = default;

    virtual void Produce(std::string_view topic, std::string_view key, std::string_view value,
                         DeliveryCallback on_delivery) = 0;

    // Produce and wait for the delivery report. An Error after `timeout` is retryable; the record
    // may still be delivered later (that is why consumers deduplicate).
    Status ProduceSync(std::string_view topic, std::string_view key, std::string_view value,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Waits until every queued record is delivered or failed.
    virtual Status Flush(std::chrono::milliseconds timeout) = 0;

    // False while no broker is reachable (used by /readyz).
    virtual bool Healthy() const = 0;
};

// Creates the librdkafka-backed producer. `registry` (optional) receives the producer's metrics:
// switchboard_kafka_produced_total{topic,result}. Throws std::runtime_error on bad config.
std::unique_ptr<Producer> MakeProducer(const ProducerConfig& config,
                                       prometheus::Registry* registry = nullptr);

}  // namespace switchboard::kafka
