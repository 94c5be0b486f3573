#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "switchboard/core/error.hpp"
#include "switchboard/kafka/consumer.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::kafka {

struct TopicReaderConfig {
    std::string brokers;
    std::string client_id;
    std::string topic;
    std::map<std::string, std::string> overrides;  // raw librdkafka properties, applied last
};

// Reads every partition of one topic from its first offset, without a consumer group: no group
// join, no rebalances, no commits, so every reader (every replica, every restart) sees every
// record. Made for state rebuilt from a compacted topic at each start (kb.articles.v1).
//
// Records arrive in offset order per partition on the reader's own thread. The handler's Status
// only decides the metric: switchboard_kafka_consumed_total{result="ok"} or, for any Error, the
// record is logged and counted as "skipped" (there is no offset to hold back, so no retries).
//
// "Caught up": every partition has been read up to the end offset it had when the reader got
// there (librdkafka's partition EOF). `on_caught_up` runs once, on the reader thread, the first
// time that holds, with each partition's end offset at that moment (all 0: the topic has never
// held a record). Records written later keep arriving.
//
// The topic must exist: until it does, the reader retries every second (Healthy() is false and a
// warning names the topic). Partitions are discovered once; partitions added later are not read.
//
// Lifetime: Start() once; Stop() (also called by the destructor) ends the thread and closes the
// handle. Thread-safety: Start/Stop/Healthy/CaughtUp from any thread; callbacks run on the reader
// thread only, one at a time, and must not call Stop().
class TopicReader {
public:
    struct Callbacks {
        Handler on_record;
        std::function<void(const std::vector<std::int64_t>& end_offsets)> on_caught_up;
    };

    virtual ~TopicReader() = default;
    virtual void Start() = 0;
    virtual void Stop() = 0;
    // True while a broker answers and the topic's partitions are assigned.
    virtual bool Healthy() const = 0;
    virtual bool CaughtUp() const = 0;
};

// Throws std::runtime_error on bad configuration (no brokers or topic, an unknown override, no
// on_record callback).
std::unique_ptr<TopicReader> MakeTopicReader(const TopicReaderConfig& config,
                                             TopicReader::Callbacks callbacks,
                                             prometheus::Registry* registry = nullptr);

}  // namespace switchboard::kafka
