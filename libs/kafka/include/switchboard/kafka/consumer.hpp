#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::kafka {

// One record as handed to a handler. Owns its data.
struct Record {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
    // True for a null value (a tombstone on a compacted topic); `value` is then empty. An empty
    // but non-null value reads as value_is_null == false.
    bool value_is_null = false;
    std::int64_t timestamp_ms = 0;  // broker/producer timestamp, 0 if absent
};

struct ConsumerConfig {
    std::string brokers;
    std::string group_id;
    std::string client_id;
    std::vector<std::string> topics;
    // Where a new group starts: "earliest" (default, nothing missed) or "latest".
    std::string auto_offset_reset = "earliest";
    std::map<std::string, std::string> overrides;  // raw librdkafka properties, applied last
};

// What the handler made of a record.
//  - Status::Ok(): the effect is done; the offset is stored and committed shortly after.
//  - Error{retryable=false}: the record can never be handled (e.g. undecodable): it is logged,
//    counted in switchboard_kafka_consumed_total{result="skipped"} and its offset stored, so
//    one bad record never stalls the partition.
//  - Error{retryable=true}: the effect failed for now (e.g. Redis down): the same record is
//    handed again after a backoff (100 ms doubling to 5 s); later records of that partition wait.
using Handler = std::function<Status(const Record&)>;

// A consumer-group member running its own thread: poll, call the handler, store the offset only
// after the handler's effect (at-least-once). Offsets are committed every 500 ms and on Stop().
// Low-latency fetch settings (fetch.wait.max.ms=10, Nagle off).
//
// Lifetime: Start() once; Stop() (also called by the destructor) finishes the record in hand,
// commits stored offsets and closes the consumer (leaving the group cleanly).
// Thread-safety: Start/Stop/Healthy may be called from any thread; the handler runs on the
// consumer thread only, one record at a time.
class Consumer {
public:
    virtual ~Consumer() = default;
    virtual void Start() = 0;
    virtual void Stop() = 0;
    // True once the consumer has joined its group and the broker is reachable.
    virtual bool Healthy() const = 0;
};

// Throws std::runtime_error on bad configuration.
std::unique_ptr<Consumer> MakeConsumer(const ConsumerConfig& config, Handler handler,
                                       prometheus::Registry* registry = nullptr);

}  // namespace switchboard::kafka
